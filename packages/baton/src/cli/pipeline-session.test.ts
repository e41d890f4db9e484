/**
 * `baton validate` checks a file against the built-in actions' signatures alone; `run` and
 * `graph` against the registries an Orchestrator holds. Both must say the same about every file.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinSignatures } from '../actions/builtin-signatures.js';
import { builtinActions } from '../builtin-actions.js';
import { DEFAULT_BUILTIN_ACTION_SETTINGS } from '../builtin-action-settings.js';
import { createModelRegistry } from '../model-registry.js';
import { formatDiagnostic } from '../pipeline/pipeline-diagnostics.js';
import { loadPipeline, validatePipelineFile, type LoadFailure } from './pipeline-session.js';

const none = { actions: [], models: [] };
const corpus = join(import.meta.dirname, '../../test/corpus');
const cliFixtures = join(import.meta.dirname, '../../test/cli/fixtures');

const show = (failure: LoadFailure): string[] =>
  failure.kind === 'invalid'
    ? failure.diagnostics.map(formatDiagnostic)
    : [`${failure.error.code}: ${failure.error.message}`];

/** What validation alone and validation with the full registries report about `file`. */
async function bothWays(file: string): Promise<[string[], string[]]> {
  const light = await validatePipelineFile(file, none);
  const full = await loadPipeline(file, none);
  return [
    light.isOk() ? [`ok ${light.value.tasks.length}`] : show(light.error),
    full.isOk() ? [`ok ${full.value.tasks.length}`] : show(full.error),
  ];
}

const EVERY_BUILTIN = `
id: every-builtin
inputs:
  topic: { type: string, default: owls }
tasks:
  - id: text
    action: template
    parameters: { template: "About {input.topic}" }
  - id: read
    action: read_file
    parameters: { path: notes.txt }
  - id: write
    action: write_file
    parameters: { path: out.txt, content: "{text}" }
  - id: fetch
    action: http
    parameters: { url: "https://example.com/{input.topic}", method: GET }
  - id: each
    action: map
    parameters: { items: [1, 2], action: template, parameters: { template: x } }
  - id: answer
    action: generate_text
    parameters: { prompt: "{text}", maxTokens: 10 }
  - id: talk
    action: chat
    parameters: { messages: [{ role: user, content: hi }], model: nowhere }
  - id: run
    action: shell
    parameters: { command: ls }
  - id: bad
    action: http
    parameters: { url: "ftp://example.com", timeoutMs: 0 }
`;

describe('validation against the built-in signatures', () => {
  it('lists the built-in actions as the registries do, with the same schemas', () => {
    for (const shell of [false, true]) {
      const settings = { ...DEFAULT_BUILTIN_ACTION_SETTINGS, shell };
      const lookup = { get: () => undefined, names: () => [] };
      const actions = builtinActions(createModelRegistry(), settings, lookup);
      const signatures = builtinSignatures(shell);
      expect(signatures.map((s) => s.name)).toEqual(actions.map((a) => a.name));
      expect(signatures.map((s) => s.description)).toEqual(actions.map((a) => a.description));
      for (const [i, s] of signatures.entries()) {
        if (s.name === 'shell' && !shell) continue; // a fresh z.never() each time
        expect(s.schema).toBe(actions[i]?.schema);
      }
    }
  });

  it.each(readdirSync(corpus).filter((f) => /\.(ya?ml|json)$/.test(f)))(
    'corpus/%s: the same diagnostics both ways',
    async (file) => {
      const [light, full] = await bothWays(join(corpus, file));
      expect(light).toEqual(full);
    },
  );

  it.each(readdirSync(cliFixtures).filter((f) => f.endsWith('.yaml')))(
    'cli fixture %s: the same diagnostics both ways',
    async (file) => {
      const [light, full] = await bothWays(join(cliFixtures, file));
      expect(light).toEqual(full);
    },
  );

  it('a file using every built-in action: the same diagnostics both ways', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'baton-session-')), 'every.yaml');
    writeFileSync(file, EVERY_BUILTIN);
    const [light, full] = await bothWays(file);
    expect(light).toEqual(full);
    // shell is off by default, `nowhere` is no model, ftp is no http URL, 0 is no timeout.
    expect(light.join('\n')).toMatch(/shell action is disabled/);
    expect(light.join('\n')).toMatch(/unknown model "nowhere"/);
    expect(light.join('\n')).toMatch(/http/);
  });

  it('a valid file: ok both ways, with its tasks', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'baton-session-')), 'ok.yaml');
    writeFileSync(
      file,
      'id: ok\ntasks:\n  - id: a\n    action: template\n    parameters: { template: hi }\n',
    );
    expect(await bothWays(file)).toEqual([['ok 1'], ['ok 1']]);
  });

  it('an unreadable file is an invalid_input error both ways', async () => {
    const [light, full] = await bothWays(join(tmpdir(), 'no-such-dir', 'missing.yaml'));
    expect(light).toEqual(full);
    expect(light[0]).toMatch(/^invalid_input: /);
  });
});
