/** Public surface of @baton/chain: sequential chains. Named exports only. */
export { createChain, createChainWithRegistry } from './create-chain.js';
export type { AnyChainStep, CreateChainResult } from './create-chain.js';
export {
  DEFAULT_CHAIN_CONFIG,
  withChainDescription,
  withChainHooks,
  withChainInputKeys,
  withChainMemory,
  withChainName,
  withChainOutputKeys,
  withChainProvider,
  withChainRetries,
  withChainRetryPolicy,
  withChainStepTimeout,
  withChainTimeout,
} from './chain-options.js';
export type { ChainOption, ChainOutputKeysOption } from './chain-options.js';
export { defaultChainRegistry, registerChainProvider } from './chain-registry.js';
export { simpleChainProvider } from './simple-chain.js';
export type {
  ChainInput,
  ChainOutput,
  ChainStep,
  ChainStepMismatch,
  ChainMismatch,
  Invocable,
  StepInput,
  StepOutput,
} from './chain-step.js';
