import { runnable, type StepContext } from '@baton/core';
import type { z } from 'zod';
import type { ActionDefinition } from '../contracts.js';
import type { ChatMessage } from '../model-definition.js';
import type { ModelRegistry, ModelRequest } from '../model-registry.js';
import { CHAT, GENERATE_TEXT, modelSelectionShape } from './builtin-signatures.js';
import { parseParameters } from './parameters.js';

function modelAction(
  signature: { name: string; description: string; schema: z.ZodType<Record<string, unknown>> },
  models: ModelRegistry,
  request: (p: Record<string, unknown>) => ModelRequest,
): ActionDefinition {
  const { name, schema } = signature;
  return {
    ...signature,
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
  for (const key of Object.keys(modelSelectionShape)) if (p[key] !== undefined) out[key] = p[key];
  return out;
};

/** `generate_text`: the text a model answers to `prompt`. */
export function generateTextAction(models: ModelRegistry): ActionDefinition {
  return modelAction(GENERATE_TEXT, models, (p) => ({ ...pick(p), prompt: p['prompt'] as string }));
}

/** `chat`: the text a model answers to a conversation. */
export function chatAction(models: ModelRegistry): ActionDefinition {
  return modelAction(CHAT, models, (p) => ({
    ...pick(p),
    messages: p['messages'] as readonly ChatMessage[],
  }));
}
