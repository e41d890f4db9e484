import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type HealthReport, type Option, type OrchestrationError } from '@baton/core';
import { healthReport, resolveOptions } from '@baton/core/authoring';
import type { BaseMessage } from '@langchain/core/messages';
import type { Result, ResultAsync } from 'neverthrow';
import { z } from 'zod';
import type { DirectoryConfig } from './file-options.js';
import { attempt } from './internal/attempt.js';
import { directoryHealth } from './internal/directory-health.js';
import {
  appendDurably,
  corruptLine,
  readJsonLines,
  replaceDurably,
} from './internal/durable-file.js';
import { fsError } from './internal/fs-errors.js';
import { serialize } from './internal/serialize.js';
import { decodeMessage, encodeMessages } from './internal/stored-messages.js';
import { fileNameFor, validateId } from './internal/validate-id.js';
import type { ReplaceableChatHistory } from './replaceable-chat-history.js';

/** Options of {@link createFileChatHistory}. */
export interface FileChatHistoryConfig extends DirectoryConfig {
  /**
   * Directory of the session files (`withDirectory`).
   * @default '.baton/chat-history'
   */
  readonly directory: string;
}

/** A chat history in an append-only JSONL file, one message per line. */
export interface FileChatHistory extends ReplaceableChatHistory<BaseMessage> {
  /** Absolute path of the session's file. */
  readonly path: string;
}

const DEFAULTS: FileChatHistoryConfig = { directory: '.baton/chat-history' };

const schema = z.object({
  directory: z.string().trim().min(1, 'expected a directory path'),
}) as z.ZodType<FileChatHistoryConfig>;

function toLines(messages: readonly BaseMessage[]): string {
  let text = '';
  for (const line of encodeMessages(messages)) text += `${line}\n`;
  return text;
}

class FileHistory implements FileChatHistory {
  readonly #op = 'fileChatHistory';

  constructor(
    readonly sessionId: string,
    readonly path: string,
  ) {}

  getMessages(): ResultAsync<BaseMessage[], OrchestrationError> {
    return this.#locked('getMessages', async () => {
      const lines = await readJsonLines(this.path, `${this.#op}.getMessages`);
      return lines.map(({ value, line }) => {
        try {
          return decodeMessage(value);
        } catch (cause) {
          throw corruptLine(`${this.#op}.getMessages`, this.path, line, cause);
        }
      });
    });
  }

  addMessage(message: BaseMessage): ResultAsync<void, OrchestrationError> {
    return this.addMessages([message]);
  }

  addMessages(messages: readonly BaseMessage[]): ResultAsync<void, OrchestrationError> {
    return this.#locked('addMessages', async () => {
      if (messages.length > 0) await appendDurably(this.path, toLines(messages));
    });
  }

  replaceMessages(messages: readonly BaseMessage[]): ResultAsync<void, OrchestrationError> {
    return this.#locked('replaceMessages', () => replaceDurably(this.path, toLines(messages)));
  }

  clear(): ResultAsync<void, OrchestrationError> {
    return this.#locked('clear', () => replaceDurably(this.path, ''));
  }

  async check(): Promise<HealthReport> {
    const report = await directoryHealth('chat-history:file', resolve(this.path, '..'));
    if (report.status !== 'healthy') return report;
    try {
      if (!(await stat(this.path)).isFile()) {
        return healthReport('chat-history:file', 'unhealthy', {
          ...report.details,
          error: `${this.path} exists but is not a file`,
        });
      }
    } catch {
      // not written yet: a writable directory is all it needs
    }
    return report;
  }

  #locked<T>(name: string, fn: () => Promise<T>): ResultAsync<T, OrchestrationError> {
    const op = `${this.#op}.${name}`;
    return attempt(
      () => serialize(this.path, fn),
      (error) => fsError(error, op, this.path),
    );
  }
}

/**
 * A chat history stored in `<directory>/<sessionId>.jsonl` (the id percent-encoded): one
 * LangChain stored message per line, appended and fsynced before the call resolves. After a
 * crash, a torn last line is ignored and every earlier line is kept; a corrupt line elsewhere
 * fails reads with `invalid_state` naming the file and line. An unknown session is an empty
 * history. One process should write a given session at a time (writes within a process are
 * serialized).
 *
 * @example
 * const result = createFileChatHistory('user-42', withDirectory('./data/chats'));
 * if (result.isErr()) throw result.error;
 * await result.value.addMessage(new HumanMessage('hi'));
 */
export function createFileChatHistory(
  sessionId: string,
  ...options: Option<FileChatHistoryConfig>[]
): Result<FileChatHistory, OrchestrationError> {
  const op = 'createFileChatHistory';
  return validateId(sessionId, 'sessionId', op).andThen((id) =>
    resolveOptions(DEFAULTS, options, schema, op).map(
      (config) => new FileHistory(id, resolve(config.directory, `${fileNameFor(id)}.jsonl`)),
    ),
  );
}
