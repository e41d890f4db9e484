import { runnable, type Runnable } from '@baton/core';
import { z } from 'zod';
import type { ActionDefinition, ActionLookup, ModelLookup } from '../../src/index.js';

/** An action lookup over `actions`, as the Orchestrator's registry answers it. */
export function actionLookup(...actions: ActionDefinition[]): ActionLookup {
  const byName = new Map(actions.map((a) => [a.name, a]));
  return { get: (name) => byName.get(name), names: () => [...byName.keys()] };
}

/** A model lookup over `models` (name -> capabilities). */
function modelLookup(models: Record<string, readonly string[]>): ModelLookup {
  return {
    has: (name) => Object.hasOwn(models, name),
    names: () => Object.keys(models),
    capabilities: () => [...new Set(Object.values(models).flat())],
  };
}

/** What each call of an action received. */
export type Calls = Record<string, unknown>[];

/**
 * A fake `generate_text`: answers `text(<prompt>)` and records what it received. The real one,
 * through the model registry, is the Orchestrator's.
 */
export function fakeGenerateText(calls: Calls = []): ActionDefinition {
  const run: Runnable<Record<string, unknown>> = runnable(
    'generate_text',
    (input: Record<string, unknown>) => {
      calls.push(input);
      return `text(${String(input.prompt)})`;
    },
  );
  return {
    name: 'generate_text',
    runnable: run,
    schema: z.object({
      prompt: z.string(),
      model: z.string().optional(),
      maxTokens: z.number().int().optional(),
    }),
  };
}

/** An action that returns its input as it received it (parameters merged with dependencies). */
export function echoAction(calls: Calls = []): ActionDefinition {
  return {
    name: 'echo',
    runnable: runnable('echo', (input: Record<string, unknown>) => {
      calls.push(input);
      return input;
    }),
  };
}

/** The lookups the tests validate against. */
export function testLookups(calls: Calls = []) {
  return {
    actions: actionLookup(fakeGenerateText(calls), echoAction(calls)),
    models: modelLookup({ 'gpt-small': ['text', 'chat'], 'vision-large': ['text', 'vision'] }),
  };
}
