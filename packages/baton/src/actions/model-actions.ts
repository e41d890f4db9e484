import { runnable, type StepContext } from '@baton/core';
import { z } from 'zod';
import type { ActionDefinition } from '../contracts.js';
import type { ChatMessage } from '../model-definition.js';
import type { ModelRegistry, ModelRequest } from '../model-registry.js';
import { parseParameters } from './parameters.js';

/** Settings of a model call that `generate_text` and `chat` share. */
const selection = {
  system: z.string().optional(),
  capabilities: z.array(z.string().min(1)).optional(),
  maxCost: z.number().min(0).optional(),
  model: z.string().min(1).optional(),
  maxTokens: z.number().int().min(1).optional(),
  onLimit: z.enum(['wait', 'fail']).optional(),
};

// Loose: a task's dependency outputs are merged into its parameters.
const generateSchema = z.looseObject({ prompt: z.string(), ...selection });
const chatSchema = z.looseObject({
  messages: z
    .array(z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }))
    .min(1),
  ...selection,
});

function modelAction(
  name: string,
  description: string,
  schema: z.ZodType<Record<string, unknown>>,
  models: ModelRegistry,
  request: (p: Record<string, unknown>) => ModelRequest,
): ActionDefinition {
  return {
    name,
    description,
    schema,
    runnable: runnable(name, async (parameters: Record<string, unknown>, ctx: StepContext) => {
      const answer = await models.generate(request(parseParameters(name, schema, parameters)), {
        parent: ctx,
        emit: (event) => ctx.emit(event),
      });
      if (answer.isErr()) throw answer.error;
      return answer.value.text;
    }),
  };
}

const pick = (p: Record<string, unknown>): ModelRequest => {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(selection)) if (p[key] !== undefined) out[key] = p[key];
  return out;
};

/** `generate_text`: the text a model answers to `prompt`. */
export function generateTextAction(models: ModelRegistry): ActionDefinition {
  return modelAction(
    'generate_text',
    'Answers a prompt with the cheapest capable model (text output)',
    generateSchema,
    models,
    (p) => ({ ...pick(p), prompt: p['prompt'] as string }),
  );
}

/** `chat`: the text a model answers to a conversation. */
export function chatAction(models: ModelRegistry): ActionDefinition {
  return modelAction(
    'chat',
    'Answers a conversation (messages) with the cheapest capable model (text output)',
    chatSchema,
    models,
    (p) => ({ ...pick(p), messages: p['messages'] as readonly ChatMessage[] }),
  );
}
