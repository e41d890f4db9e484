import { OrchestrationError, type ChatHistory, type HealthReport, type Option } from '@baton/core';
import { healthReport, NEVER_SIGNAL, resolveOptions } from '@baton/core/authoring';
import type { BaseChatMessageHistory } from '@langchain/core/chat_history';
import { BaseMessage } from '@langchain/core/messages';
import { errAsync, ResultAsync } from 'neverthrow';
import { z } from 'zod';
import { mapLangChainError } from './internal/map-lang-chain-error.js';

/**
 * A LangChain chat message history: `BaseChatMessageHistory`, `BaseListChatMessageHistory`
 * (e.g. `InMemoryChatMessageHistory`) or any object with these methods.
 */
export type LangChainChatHistoryLike = Pick<
  BaseChatMessageHistory,
  'getMessages' | 'addMessage' | 'addMessages' | 'clear'
>;

/** Configuration of {@link fromLangChainChatHistory}. */
export interface FromLangChainChatHistoryConfig {
  /**
   * The session id the Baton history reports.
   * @default the LangChain history's own `sessionId` when it has a string one, else `'default'`
   */
  readonly sessionId: string;
}

/** Sets the session id of the adapted history. */
export function withChatHistorySessionId(
  sessionId: string,
): Option<FromLangChainChatHistoryConfig> {
  return (draft) => {
    draft.sessionId = sessionId;
  };
}

const schema = z.object({
  sessionId: z.string().min(1, 'expected a non-empty session id'),
});

const OP = 'langchainChatHistory';

function isLangChainHistory(value: unknown): value is LangChainChatHistoryLike {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return ['getMessages', 'addMessage', 'addMessages', 'clear'].every(
    (method) => typeof candidate[method] === 'function',
  );
}

function call<T>(op: string, fn: () => Promise<T>): ResultAsync<T, OrchestrationError> {
  const attempt = (): Promise<T> => {
    try {
      return fn();
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return ResultAsync.fromPromise(attempt(), (error) =>
    mapLangChainError(error, `${OP}.${op}`, NEVER_SIGNAL),
  );
}

function notAMessage(op: string, index?: number): ResultAsync<never, OrchestrationError> {
  const where = index === undefined ? 'the message' : `message #${index + 1}`;
  return errAsync(
    new OrchestrationError(
      'invalid_input',
      `${OP}.${op}: ${where} is not a LangChain BaseMessage; build it with new HumanMessage(...), new AIMessage(...)`,
      { op: `${OP}.${op}`, ...(index === undefined ? {} : { details: { index } }) },
    ),
  );
}

function adapt(lc: LangChainChatHistoryLike, sessionId: string): ChatHistory<BaseMessage> {
  return {
    sessionId,
    getMessages: () => call('getMessages', () => lc.getMessages()),
    addMessage: (message) =>
      BaseMessage.isInstance(message)
        ? call('addMessage', () => lc.addMessage(message))
        : notAMessage('addMessage'),
    addMessages: (messages) => {
      const bad = messages.findIndex((m) => !BaseMessage.isInstance(m));
      if (bad >= 0) return notAMessage('addMessages', bad);
      return call('addMessages', () => lc.addMessages([...messages]));
    },
    clear: () => call('clear', () => lc.clear()),
    // Reading is the only side-effect-free probe a LangChain history offers.
    check: async (): Promise<HealthReport> => {
      const read = await call('check', () => lc.getMessages());
      return read.match(
        (messages) =>
          healthReport(`chat-history:${sessionId}`, 'healthy', { messages: messages.length }),
        (error) =>
          healthReport(`chat-history:${sessionId}`, 'unhealthy', {
            error: error.message,
            code: error.code,
          }),
      );
    },
  };
}

/**
 * Exposes a LangChain chat message history as a Baton `ChatHistory`, e.g. for Baton memory.
 * Failures come back as `Err(OrchestrationError)`, never as rejections; a value that is not a
 * `BaseMessage` is refused with `invalid_input` before it reaches LangChain.
 *
 * Throws an OrchestrationError (`invalid_config`) when `lcHistory` is not a chat history or an
 * option is invalid.
 *
 * @example
 * const history = fromLangChainChatHistory(new InMemoryChatMessageHistory(), withChatHistorySessionId('s1'));
 * await history.addMessage(new HumanMessage('hi')); // ok(undefined)
 */
export function fromLangChainChatHistory(
  lcHistory: LangChainChatHistoryLike,
  ...options: Option<FromLangChainChatHistoryConfig>[]
): ChatHistory<BaseMessage> {
  if (!isLangChainHistory(lcHistory)) {
    throw new OrchestrationError(
      'invalid_config',
      'fromLangChainChatHistory: expected a LangChain chat message history ' +
        '(getMessages, addMessage, addMessages, clear), e.g. new InMemoryChatMessageHistory()',
      { op: 'fromLangChainChatHistory' },
    );
  }
  const own = (lcHistory as { sessionId?: unknown }).sessionId;
  const defaults: FromLangChainChatHistoryConfig = {
    sessionId: typeof own === 'string' && own !== '' ? own : 'default',
  };
  const config = resolveOptions(defaults, options, schema, 'fromLangChainChatHistory');
  if (config.isErr()) throw config.error;
  return adapt(lcHistory, config.value.sessionId);
}
