/** Public surface of @baton/workflow-temporal. */
export {};
