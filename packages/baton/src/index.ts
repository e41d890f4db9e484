/** Public surface of baton. */
export type { ActionDefinition, ActionLookup, ModelLookup } from './contracts.js';
