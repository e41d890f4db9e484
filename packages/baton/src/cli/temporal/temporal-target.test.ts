import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline, type LoadedPipeline } from '../pipeline-session.js';
import { checkFlags, defaultTaskQueue } from './temporal-target.js';

const FILE = `id: greet
tasks:
  - id: hello
    action: template
    parameters: { template: "hello" }
  - id: loud
    action: template
    dependencies: [hello]
    parameters: { template: "{hello}!" }
`;

async function load(path: string): Promise<LoadedPipeline> {
  const loaded = await loadPipeline(path, { actions: [], models: [] });
  if (loaded.isErr()) throw new Error(JSON.stringify(loaded.error));
  return loaded.value;
}

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'baton-queue-')), 'greet.yaml');
  writeFileSync(path, text);
  return path;
}

describe('defaultTaskQueue', () => {
  it('is the same for one file however it is named, and differs when a parameter changes', async () => {
    const path = file(FILE);
    const queue = defaultTaskQueue(await load(path));
    expect(queue).toMatch(/^baton-greet-[0-9a-f]{12}$/);
    expect(defaultTaskQueue(await load(relative(process.cwd(), path)))).toBe(queue);
    // Same structure (same spec fingerprint), another parameter: another version.
    const edited = file(FILE.replace('"hello"', '"hi"'));
    expect(defaultTaskQueue(await load(edited))).not.toBe(queue);
  });
});

describe('checkFlags', () => {
  it('refuses an address without a port and empty names, naming the flag', () => {
    expect(checkFlags({ temporal: 'localhost' })._unsafeUnwrapErr().message).toContain(
      '--temporal localhost: expected',
    );
    expect(checkFlags({ temporal: 'localhost:7233', namespace: ' ' }).isErr()).toBe(true);
    expect(checkFlags({ temporal: 'localhost:7233', taskQueue: '' }).isErr()).toBe(true);
    expect(checkFlags({ temporal: 'temporal.example.com:7233', namespace: 'prod' }).isOk()).toBe(
      true,
    );
  });
});
