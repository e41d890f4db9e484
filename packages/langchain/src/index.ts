/**
 * @baton/langchain — two-way adapters between Baton and `@langchain/core`. Named exports only.
 */

// LangChain -> Baton
export {
  fromLangChain,
  withLangChainConfig,
  withLangChainName,
  withLangChainStreaming,
} from './from-lang-chain.js';
export type { FromLangChainConfig, LangChainRunnableLike } from './from-lang-chain.js';
export {
  fromLangChainChatHistory,
  withChatHistorySessionId,
} from './from-lang-chain-chat-history.js';
export type {
  FromLangChainChatHistoryConfig,
  LangChainChatHistoryLike,
} from './from-lang-chain-chat-history.js';

// Baton -> LangChain
export { toLangChain } from './to-lang-chain.js';
export type { LangChainOutput } from './to-lang-chain.js';
export { batonErrorOf } from './baton-error-of.js';
export { toLangChainChatHistory } from './to-lang-chain-chat-history.js';
