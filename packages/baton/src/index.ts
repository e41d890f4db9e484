/** Public surface of baton. */
export type { ActionDefinition, ActionLookup, ModelLookup } from './contracts.js';
export type { ActionsModule } from './cli/actions-module.js';
