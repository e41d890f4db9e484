import type { CheckpointStore, NodeCheckpoint, RunCheckpoint } from '@baton/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fails, ok } from './helpers.js';

/** Makes a store; called again in a test to reopen the same underlying storage. */
export type CheckpointStoreFactory = () => CheckpointStore | Promise<CheckpointStore>;

export interface CheckpointStoreContractOptions {
  /** Whether a second store from the factory sees the first one's records. */
  readonly persistent: boolean;
  /** Runs of the property test (keep small for slow backends). @default 25 */
  readonly propertyRuns?: number;
}

let counter = 0;
const freshRunId = (label: string): string => `${label}-${Date.now().toString(36)}-${counter++}`;

function run(runId: string, overrides: Partial<RunCheckpoint> = {}): RunCheckpoint {
  return {
    runId,
    graph: 'g',
    status: 'running',
    input: { question: 'why?', n: [1, 2] },
    startedAt: 1_000,
    updatedAt: 1_000,
    ...overrides,
  };
}

function node(
  runId: string,
  name: string,
  overrides: Partial<NodeCheckpoint> = {},
): NodeCheckpoint {
  return {
    runId,
    node: name,
    status: 'succeeded',
    output: { name },
    attempts: 1,
    finishedAt: 2_000,
    ...overrides,
  };
}

/** The behaviour every CheckpointStore backend must have. */
export function describeCheckpointStoreContract(
  name: string,
  factory: CheckpointStoreFactory,
  options: CheckpointStoreContractOptions,
): void {
  describe(`CheckpointStore contract: ${name}`, () => {
    it('loadRun of an unknown run fails with not_found', async () => {
      const store = await factory();
      const error = await fails(store.loadRun(freshRunId('missing')));
      expect(error.code).toBe('not_found');
    });

    it('saves a run and loads it back with no nodes', async () => {
      const store = await factory();
      const id = freshRunId('save');
      const record = run(id, { metadata: { user: 'ada' } });
      await ok(store.saveRun(record));
      expect(await ok(store.loadRun(id))).toEqual({ run: record, nodes: [] });
    });

    it('saveRun replaces the run record', async () => {
      const store = await factory();
      const id = freshRunId('replace');
      await ok(store.saveRun(run(id)));
      await ok(store.saveRun(run(id, { status: 'succeeded', updatedAt: 5_000 })));
      const loaded = await ok(store.loadRun(id));
      expect(loaded.run).toMatchObject({ status: 'succeeded', updatedAt: 5_000 });
    });

    it('keeps one record per node, the last one written winning, ordered by finish time', async () => {
      const store = await factory();
      const id = freshRunId('nodes');
      await ok(store.saveRun(run(id)));
      await ok(store.saveNode(node(id, 'b', { finishedAt: 3_000 })));
      await ok(
        store.saveNode(
          node(id, 'a', {
            status: 'failed',
            output: undefined,
            error: { code: 'timeout', message: 'slow' },
          }),
        ),
      );
      await ok(store.saveNode(node(id, 'a', { attempts: 2, finishedAt: 2_500 })));
      const { nodes } = await ok(store.loadRun(id));
      expect(nodes.map((n) => [n.node, n.status, n.attempts])).toEqual([
        ['a', 'succeeded', 2],
        ['b', 'succeeded', 1],
      ]);
      expect(nodes[0]?.output).toEqual({ name: 'a' });
    });

    it('lists runs newest first (by start time, then run id)', async () => {
      const store = await factory();
      const ids = [freshRunId('list'), freshRunId('list'), freshRunId('list')];
      await ok(store.saveRun(run(ids[0] as string, { startedAt: 10 })));
      await ok(store.saveRun(run(ids[1] as string, { startedAt: 30 })));
      await ok(store.saveRun(run(ids[2] as string, { startedAt: 30 })));
      const listed = (await ok(store.listRuns()))
        .map((r) => r.runId)
        .filter((r) => ids.includes(r));
      expect(listed).toEqual([ids[2], ids[1], ids[0]]);
    });

    it('deleteRun removes the run and its nodes; deleting an absent run is fine', async () => {
      const store = await factory();
      const id = freshRunId('delete');
      await ok(store.saveRun(run(id)));
      await ok(store.saveNode(node(id, 'a')));
      await ok(store.deleteRun(id));
      expect((await fails(store.loadRun(id))).code).toBe('not_found');
      expect((await ok(store.listRuns())).map((r) => r.runId)).not.toContain(id);
      await ok(store.deleteRun(id));
      await ok(store.saveRun(run(id)));
      expect((await ok(store.loadRun(id))).nodes).toEqual([]);
    });

    it('handles run ids with path-like and non-ASCII characters, keeping them apart', async () => {
      const store = await factory();
      const suffix = freshRunId('odd');
      const ids = [`../${suffix}`, `a/b:${suffix}`, `ü ${suffix}`, `.${suffix}*`];
      for (const [i, id] of ids.entries()) await ok(store.saveRun(run(id, { input: i })));
      for (const [i, id] of ids.entries()) expect((await ok(store.loadRun(id))).run.input).toBe(i);
    });

    it('rejects invalid records with invalid_input naming the field', async () => {
      const store = await factory();
      const id = freshRunId('invalid');
      const empty = await fails(store.saveRun(run('')));
      expect(empty.code).toBe('invalid_input');
      expect(empty.message).toContain('runId');
      const status = await fails(store.saveRun(run(id, { status: 'exploded' as never })));
      expect(status.message).toContain('status');
      const bigint = await fails(store.saveNode(node(id, 'a', { output: 10n })));
      expect(bigint.code).toBe('invalid_input');
      expect((await fails(store.loadRun(''))).code).toBe('invalid_input');
    });

    it('refuses to save a run id that loadRun would refuse (control characters)', async () => {
      const store = await factory();
      const bad = `${freshRunId('ctl')}\n`;
      expect((await fails(store.saveRun(run(bad)))).code).toBe('invalid_input');
      expect((await fails(store.saveNode(node(bad, 'a')))).message).toContain('runId');
      expect((await fails(store.loadRun(bad))).code).toBe('invalid_input');
    });

    it('check() reports healthy', async () => {
      const store = await factory();
      expect((await store.check()).status).toBe('healthy');
    });

    // Only persistent backends can be reopened; the others do not register this test at all.
    if (options.persistent) {
      it('a reopened store sees the runs and nodes', async () => {
        const id = freshRunId('reopen');
        const first = await factory();
        await ok(first.saveRun(run(id)));
        await ok(first.saveNode(node(id, 'a')));
        const second = await factory();
        const loaded = await ok(second.loadRun(id));
        expect(loaded.nodes.map((n) => n.node)).toEqual(['a']);
      });
    }

    it('loadRun matches a last-write-wins reference for any sequence of node writes', async () => {
      const store = await factory();
      const write = fc.record({
        node: fc.constantFrom('a', 'b', 'c', 'd'),
        attempts: fc.integer({ min: 1, max: 5 }),
        finishedAt: fc.integer({ min: 0, max: 3 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(write, { maxLength: 12 }), async (writes) => {
          const id = freshRunId('prop');
          await ok(store.saveRun(run(id)));
          const reference = new Map<string, NodeCheckpoint>();
          for (const w of writes) {
            const record = node(id, w.node, { attempts: w.attempts, finishedAt: w.finishedAt });
            reference.set(w.node, record);
            await ok(store.saveNode(record));
          }
          const expected = [...reference.values()].sort(
            (x, y) => x.finishedAt - y.finishedAt || x.node.localeCompare(y.node),
          );
          expect((await ok(store.loadRun(id))).nodes).toEqual(expected);
          await ok(store.deleteRun(id));
        }),
        { numRuns: options.propertyRuns ?? 25 },
      );
    });
  });
}
