/** Public surface of baton. */
export {};
