import {
  FINISHED_RUN_STATUSES,
  RUN_STATUSES,
  type CheckpointStore,
  type NodeCheckpoint,
  type Option,
  type RunCheckpoint,
  type RunQuery,
} from '@baton/core';
import { withCheckpointRetention, type RetentionConfig } from '../src/checkpoint-retention.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fails, ok } from './helpers.js';

/**
 * Makes a store with the given options; called again in a test to reopen the same underlying
 * storage.
 */
export type CheckpointStoreFactory = (
  ...options: Option<RetentionConfig>[]
) => CheckpointStore | Promise<CheckpointStore>;

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
      const graph = freshRunId('graph');
      const ids = [freshRunId('list'), freshRunId('list'), freshRunId('list')];
      await ok(store.saveRun(run(ids[0] as string, { graph, startedAt: 10 })));
      await ok(store.saveRun(run(ids[1] as string, { graph, startedAt: 30 })));
      await ok(store.saveRun(run(ids[2] as string, { graph, startedAt: 30 })));
      const page = await ok(store.listRuns({ graph }));
      expect(page.runs.map((r) => r.runId)).toEqual([ids[2], ids[1], ids[0]]);
      expect(page.nextCursor).toBeUndefined();
    });

    it('filters runs by status, graph and start time', async () => {
      const store = await factory();
      const graph = freshRunId('graph');
      const other = freshRunId('other');
      const id = (n: number) => `${graph}-${n}`;
      await ok(store.saveRun(run(id(1), { graph, startedAt: 100, status: 'succeeded' })));
      await ok(store.saveRun(run(id(2), { graph, startedAt: 200, status: 'running' })));
      await ok(store.saveRun(run(id(3), { graph, startedAt: 300, status: 'failed' })));
      await ok(store.saveRun(run(id(4), { graph: other, startedAt: 200, status: 'running' })));
      const ids = async (query: RunQuery) =>
        (await ok(store.listRuns(query))).runs.map((r) => r.runId);
      expect(await ids({ graph })).toEqual([id(3), id(2), id(1)]);
      expect(await ids({ graph, status: 'running' })).toEqual([id(2)]);
      expect(await ids({ graph, status: ['succeeded', 'failed'] })).toEqual([id(3), id(1)]);
      expect(await ids({ graph, before: 300 })).toEqual([id(2), id(1)]);
      expect(await ids({ graph, after: 100 })).toEqual([id(3), id(2)]);
      expect(await ids({ graph, after: 100, before: 300 })).toEqual([id(2)]);
      expect(await ids({ graph: other })).toEqual([id(4)]);
      expect(await ids({ graph: `${graph}-none` })).toEqual([]);
    });

    it('pages through runs with limit and cursor, each run once, in order', async () => {
      const store = await factory();
      const graph = freshRunId('graph');
      const ids: string[] = [];
      // Ties on the start time make the run id decide the order within a page and across pages.
      for (let n = 0; n < 7; n++) {
        const id = `${graph}-${n}`;
        ids.push(id);
        await ok(store.saveRun(run(id, { graph, startedAt: 1_000 + Math.floor(n / 3) })));
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await ok(
          store.listRuns({ graph, limit: 3, ...(cursor === undefined ? {} : { cursor }) }),
        );
        expect(page.runs.length).toBeLessThanOrEqual(3);
        seen.push(...page.runs.map((r) => r.runId));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== undefined);
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids].reverse());
      const filtered = await ok(store.listRuns({ graph, limit: 2, before: 1_002 }));
      expect(filtered.runs.map((r) => r.runId)).toEqual([ids[5], ids[4]]);
      const next = await ok(
        store.listRuns({ graph, limit: 2, before: 1_002, cursor: filtered.nextCursor as string }),
      );
      expect(next.runs.map((r) => r.runId)).toEqual([ids[3], ids[2]]);
    });

    it('rejects a bad query with invalid_input naming the field', async () => {
      const store = await factory();
      expect((await fails(store.listRuns({ limit: 0 }))).message).toContain('limit');
      expect((await fails(store.listRuns({ status: 'done' as never }))).message).toContain(
        'status',
      );
      const cursor = await fails(store.listRuns({ cursor: 'not-a-cursor' }));
      expect(cursor.code).toBe('invalid_input');
      expect(cursor.message).toContain('cursor');
    });

    it('stores what the checkpoint codec keeps and gives it back equal', async () => {
      const store = await factory();
      const id = freshRunId('codec');
      const input = { when: new Date(5), tags: new Set(['a']), missing: undefined };
      const output = {
        byKey: new Map<string, unknown>([['k', { n: 10n }]]),
        bytes: new Uint8Array([1, 2, 3]),
        pattern: /a+b/giu,
        error: Object.assign(new TypeError('bad'), { code: 'E_BAD' }),
        nested: [undefined, -0, Number.NaN],
      };
      await ok(store.saveRun(run(id, { input })));
      await ok(store.saveNode(node(id, 'a', { output })));
      const loaded = await ok(store.loadRun(id));
      expect(loaded.run.input).toStrictEqual(input);
      const back = loaded.nodes[0]?.output as typeof output;
      expect(back).toStrictEqual(output);
      expect(back.byKey.get('k')).toEqual({ n: 10n });
      expect(back.error).toBeInstanceOf(TypeError);
      expect(back.error.code).toBe('E_BAD');
    });

    it('refuses an output it cannot keep, naming the node and the path', async () => {
      const store = await factory();
      const id = freshRunId('refuse');
      await ok(store.saveRun(run(id)));
      class Point {
        constructor(readonly x: number) {}
      }
      const cases: [unknown, string, string][] = [
        [{ items: [1, new Point(1)] }, 'output.items[1]', 'class Point'],
        [{ fn: () => 1 }, 'output.fn', 'function'],
        [{ s: Symbol('s') }, 'output.s', 'symbol'],
        [new Map([['k', { p: new Point(2) }]]), 'output.get("k").p', 'class Point'],
      ];
      for (const [output, path, what] of cases) {
        const error = await fails(store.saveNode(node(id, 'shape', { output })));
        expect(error.code).toBe('invalid_input');
        expect(error.message).toContain('node "shape"');
        expect(error.message).toContain(path);
        expect(error.message).toContain(what);
        expect(error.details['path']).toBe(path);
      }
      expect((await ok(store.loadRun(id))).nodes).toEqual([]);
    });

    it('deleteRun removes the run and its nodes; deleting an absent run is fine', async () => {
      const store = await factory();
      const id = freshRunId('delete');
      await ok(store.saveRun(run(id)));
      await ok(store.saveNode(node(id, 'a')));
      await ok(store.deleteRun(id));
      expect((await fails(store.loadRun(id))).code).toBe('not_found');
      const listed = await ok(store.listRuns({ graph: 'g', limit: 1_000 }));
      expect(listed.runs.map((r) => r.runId)).not.toContain(id);
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
      const attempts = await fails(store.saveNode(node(id, 'a', { attempts: -1 })));
      expect(attempts.code).toBe('invalid_input');
      expect(attempts.message).toContain('attempts');
      expect((await fails(store.loadRun(''))).code).toBe('invalid_input');
    });

    it('refuses to save a run id that loadRun would refuse (control characters)', async () => {
      const store = await factory();
      const bad = `${freshRunId('ctl')}\n`;
      expect((await fails(store.saveRun(run(bad)))).code).toBe('invalid_input');
      expect((await fails(store.saveNode(node(bad, 'a')))).message).toContain('runId');
      expect((await fails(store.loadRun(bad))).code).toBe('invalid_input');
    });

    const unfinished = RUN_STATUSES.filter((status) => !FINISHED_RUN_STATUSES.includes(status));

    it('retention keepLast keeps the newest finished runs of the graph and every unfinished run', async () => {
      const store = await factory(withCheckpointRetention({ keepLast: 2 }));
      const graph = freshRunId('keep');
      const other = freshRunId('keep-other');
      const id = (label: string) => `${graph}-${label}`;
      for (const [n, status] of FINISHED_RUN_STATUSES.entries())
        await ok(store.saveRun(run(id(`done${n}`), { graph, status, startedAt: 10 + n })));
      for (const [n, status] of unfinished.entries())
        await ok(store.saveRun(run(id(`open${n}`), { graph, status, startedAt: n })));
      await ok(store.saveRun(run(`${other}-1`, { graph: other, status: 'succeeded' })));
      await ok(store.saveRun(run(`${other}-2`, { graph: other, status: 'succeeded' })));
      await ok(store.saveRun(run(`${other}-3`, { graph: other, status: 'succeeded' })));
      const kept = (await ok(store.listRuns({ graph }))).runs.map((r) => r.runId).sort();
      const expected = [
        id(`done${FINISHED_RUN_STATUSES.length - 1}`),
        id(`done${FINISHED_RUN_STATUSES.length - 2}`),
        ...unfinished.map((_, n) => id(`open${n}`)),
      ].sort();
      expect(kept).toEqual(expected);
      expect((await ok(store.listRuns({ graph: other }))).runs).toHaveLength(2);
    });

    it('retention maxAgeMs deletes old finished runs, never an old unfinished one', async () => {
      const store = await factory(withCheckpointRetention({ maxAgeMs: 60_000 }));
      const graph = freshRunId('age');
      const old = Date.now() - 3_600_000;
      await ok(
        store.saveRun(run(`${graph}-old-done`, { graph, status: 'failed', updatedAt: old })),
      );
      for (const status of unfinished)
        await ok(store.saveRun(run(`${graph}-old-${status}`, { graph, status, updatedAt: old })));
      await ok(store.saveNode(node(`${graph}-old-done`, 'a')));
      const now = Date.now();
      await ok(store.saveRun(run(`${graph}-new`, { graph, status: 'succeeded', updatedAt: now })));
      const kept = (await ok(store.listRuns({ graph }))).runs.map((r) => r.runId).sort();
      expect(kept).toEqual(
        [`${graph}-new`, ...unfinished.map((status) => `${graph}-old-${status}`)].sort(),
      );
      expect((await fails(store.loadRun(`${graph}-old-done`))).code).toBe('not_found');
    });

    it('rejects a bad retention with invalid_config naming the field', async () => {
      let error: unknown;
      try {
        await factory(withCheckpointRetention({ keepLast: -1 }));
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'invalid_config' });
      expect((error as Error).message).toContain('keepLast');
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
