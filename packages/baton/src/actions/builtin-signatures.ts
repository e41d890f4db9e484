/**
 * The names, descriptions and parameter schemas of the built-in actions, apart from what they run
 * (`*-action.ts`): validating a pipeline needs only these, and loading them costs zod alone, not
 * the Runnable machinery of `@baton/core` (`baton validate` starts faster for it).
 */
// A namespace import, not `{ z }`: the validate bundle then keeps only the zod it uses.
import * as z from 'zod';
import type { ActionSignature } from '../contracts.js';

/** A message of a conversation. */
export const chatMessageSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

/** The fields of a model request besides its text (shared with `generate_text`, `chat`). */
export const modelSelectionShape = {
  system: z.string().optional(),
  capabilities: z.array(z.string().min(1)).optional(),
  maxCost: z.number().min(0).optional(),
  model: z.string().min(1).optional(),
  maxTokens: z.number().int().min(1).optional(),
  onLimit: z.enum(['wait', 'fail']).optional(),
};

// Loose schemas: a task's dependency outputs are merged into its parameters.

export const GENERATE_TEXT = {
  name: 'generate_text',
  description: 'Answers a prompt with the cheapest capable model (text output)',
  schema: z.looseObject({ prompt: z.string(), ...modelSelectionShape }),
} as const;

export const CHAT = {
  name: 'chat',
  description: 'Answers a conversation (messages) with the cheapest capable model (text output)',
  schema: z.looseObject({ messages: z.array(chatMessageSchema).min(1), ...modelSelectionShape }),
} as const;

export const TEMPLATE = {
  name: 'template',
  description: 'Renders a string from earlier results and inputs',
  schema: z.looseObject({ template: z.string() }),
} as const;

export const HTTP = {
  name: 'http',
  description: 'Calls an allowed HTTP(S) host, with a timeout',
  schema: z.looseObject({
    url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    body: z.unknown().optional(),
    timeoutMs: z.number().int().min(1).optional(),
  }),
} as const;

const encoding = z.enum(['utf8', 'base64']).optional();

export const READ_FILE = {
  name: 'read_file',
  description: 'Reads a file under the root directory (utf8 or base64)',
  schema: z.looseObject({ path: z.string().min(1), encoding }),
} as const;

export const WRITE_FILE = {
  name: 'write_file',
  description: 'Writes or appends a file under the root directory',
  schema: z.looseObject({
    path: z.string().min(1),
    content: z.string(),
    encoding,
    append: z.boolean().optional(),
  }),
} as const;

export const MAP = {
  name: 'map',
  description: 'Runs an action for each item of a list, with bounded concurrency',
  schema: z.looseObject({
    items: z.array(z.unknown()),
    action: z.string().min(1),
    parameters: z.record(z.string(), z.unknown()).optional(),
    concurrency: z.number().int().min(1).optional(),
  }),
} as const;

/** Why `shell` refuses to run, and every task naming it fails validation, unless enabled. */
export const SHELL_DISABLED =
  'the shell action is disabled; enable it with withBuiltinActions({ shell: true })';

export const SHELL = {
  name: 'shell',
  description: 'Runs a program in the root directory',
  schema: z.looseObject({
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    timeoutMs: z.number().int().min(1).optional(),
  }),
} as const;

/** `shell` as validation sees it: its schema, or one every task fails when it is disabled. */
export function shellSignature(enabled: boolean): ActionSignature {
  return enabled
    ? SHELL
    : { name: SHELL.name, description: SHELL_DISABLED, schema: z.never({ error: SHELL_DISABLED }) };
}

/** The signatures of every built-in action, in the order `builtinActions` registers them. */
export function builtinSignatures(shell: boolean): ActionSignature[] {
  return [GENERATE_TEXT, CHAT, TEMPLATE, HTTP, READ_FILE, WRITE_FILE, MAP, shellSignature(shell)];
}
