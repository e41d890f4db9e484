import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileCheckpointStore } from '../src/file-checkpoint-store.js';
import { withDirectory } from '../src/file-options.js';
import { createInMemoryCheckpointStore } from '../src/in-memory-checkpoint-store.js';
import { describeCheckpointStoreContract } from './checkpoint-store-contract.js';
import { fails, ok } from './helpers.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baton-ckpt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeCheckpointStoreContract(
  'in-memory',
  (...options) => ok(createInMemoryCheckpointStore(...options)),
  { persistent: false },
);
describeCheckpointStoreContract(
  'file',
  (...options) => ok(createFileCheckpointStore(withDirectory(dir), ...options)),
  { persistent: true, propertyRuns: 15 },
);

describe('createFileCheckpointStore', () => {
  const run = (runId: string) => ({
    runId,
    graph: 'g',
    status: 'running' as const,
    input: null,
    startedAt: 1,
    updatedAt: 1,
  });
  const node = (runId: string, name: string, attempts = 1) => ({
    runId,
    node: name,
    status: 'succeeded' as const,
    output: name,
    attempts,
    finishedAt: 2,
  });

  it('appends one line per node write instead of rewriting the run', async () => {
    const store = await ok(createFileCheckpointStore(withDirectory(dir)));
    await ok(store.saveRun(run('append')));
    await ok(store.saveNode(node('append', 'a')));
    await ok(store.saveNode(node('append', 'a', 2)));
    const { readFile } = await import('node:fs/promises');
    const log = await readFile(join(dir, 'append', 'nodes.jsonl'), 'utf8');
    expect(log.trimEnd().split('\n')).toHaveLength(2);
    expect((await readdir(join(dir, 'append'))).sort()).toEqual(['nodes.jsonl', 'run.json']);
  });

  it('ignores a torn last node line', async () => {
    const store = await ok(createFileCheckpointStore(withDirectory(dir)));
    await ok(store.saveRun(run('torn')));
    await ok(store.saveNode(node('torn', 'a')));
    await appendFile(join(dir, 'torn', 'nodes.jsonl'), '{"runId":"torn","node":"b"');
    expect((await ok(store.loadRun('torn'))).nodes.map((n) => n.node)).toEqual(['a']);
    await ok(store.saveNode(node('torn', 'c')));
    expect((await ok(store.loadRun('torn'))).nodes.map((n) => n.node)).toEqual(['a', 'c']);
  });

  it('fails with invalid_state naming the file for a corrupt run record or node line', async () => {
    const store = await ok(createFileCheckpointStore(withDirectory(dir)));
    await ok(store.saveRun(run('bad-run')));
    await writeFile(join(dir, 'bad-run', 'run.json'), '{"runId":');
    const badRun = await fails(store.loadRun('bad-run'));
    expect(badRun.code).toBe('invalid_state');
    expect(badRun.message).toContain(join(dir, 'bad-run', 'run.json'));
    expect((await fails(store.listRuns())).code).toBe('invalid_state');
    await rm(join(dir, 'bad-run'), { recursive: true });

    await ok(store.saveRun(run('bad-node')));
    await writeFile(join(dir, 'bad-node', 'nodes.jsonl'), '{"runId":"bad-node","node":"a"}\n');
    const badNode = await fails(store.loadRun('bad-node'));
    expect(badNode.code).toBe('invalid_state');
    expect(badNode.message).toContain(`${join(dir, 'bad-node', 'nodes.jsonl')}:1`);
  });

  it('lists nothing for a directory that does not exist yet', async () => {
    const store = await ok(createFileCheckpointStore(withDirectory(join(dir, 'never-created'))));
    expect(await ok(store.listRuns())).toEqual({ runs: [] });
    expect((await store.check()).status).toBe('healthy');
  });

  it('rejects an invalid directory option with invalid_config', async () => {
    const error = await fails(createFileCheckpointStore(withDirectory('')));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('directory');
  });
});

describe('checkpoint files written before the codec (plain JSON)', () => {
  it('are read as they are, and new records append to them', async () => {
    const store = await ok(createFileCheckpointStore(withDirectory(dir)));
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'legacy'), { recursive: true });
    await writeFile(
      join(dir, 'legacy', 'run.json'),
      '{"runId":"legacy","graph":"g","status":"running","input":{"q":[1,2]},"startedAt":1,"updatedAt":2}\n',
    );
    await writeFile(
      join(dir, 'legacy', 'nodes.jsonl'),
      '{"runId":"legacy","node":"a","status":"succeeded","output":{"n":1},"attempts":1,"finishedAt":3}\n',
    );
    await ok(
      store.saveNode({
        runId: 'legacy',
        node: 'b',
        status: 'succeeded',
        output: new Set([1]),
        attempts: 1,
        finishedAt: 4,
      }),
    );
    const loaded = await ok(store.loadRun('legacy'));
    expect(loaded.run.input).toEqual({ q: [1, 2] });
    expect(loaded.nodes.map((n) => [n.node, n.output])).toEqual([
      ['a', { n: 1 }],
      ['b', new Set([1])],
    ]);
  });
});
