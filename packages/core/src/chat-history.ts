import type { ResultAsync } from 'neverthrow';
import type { OrchestrationError } from './errors.js';
import type { HealthChecker } from './health.js';

/**
 * The messages of one conversation (one session id). `M` is the message type: LangChain's
 * `BaseMessage` in `@baton/memory`; core stays free of that dependency.
 */
export interface ChatHistory<M> extends HealthChecker {
  readonly sessionId: string;
  /** Every message, oldest first. */
  getMessages(): ResultAsync<M[], OrchestrationError>;
  addMessage(message: M): ResultAsync<void, OrchestrationError>;
  /** Appends several messages in order (atomically where the backend can). */
  addMessages(messages: readonly M[]): ResultAsync<void, OrchestrationError>;
  clear(): ResultAsync<void, OrchestrationError>;
}
