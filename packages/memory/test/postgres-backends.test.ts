import type { OrchestrationError } from '@baton/core';
import { requirePostgres, testPostgresSchema, testPostgresUrl } from '@baton/test-support';
import { HumanMessage } from '@langchain/core/messages';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migratePostgres } from '../src/migrate-postgres.js';
import { createPostgresChatHistory } from '../src/postgres-chat-history.js';
import { createPostgresCheckpointStore } from '../src/postgres-checkpoint-store.js';
import {
  withPostgresMaxConnections,
  withPostgresPool,
  withPostgresSchema,
  withPostgresUrl,
} from '../src/postgres-options.js';
import { describeChatHistoryContract } from './chat-history-contract.js';
import { describeCheckpointStoreContract } from './checkpoint-store-contract.js';
import { fails, ok } from './helpers.js';

// Skips with a message when no PostgreSQL answers at POSTGRES_URL; under CI=true that throws.
const hasPostgres = await requirePostgres();
const URL_ = testPostgresUrl();

describe.runIf(hasPostgres)('PostgreSQL backends', () => {
  const schema = testPostgresSchema('memory');
  const pool = new pg.Pool({ connectionString: URL_, max: 4 });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });
  const shared = [withPostgresPool(pool), withPostgresSchema(schema)];

  describeCheckpointStoreContract(
    'postgres',
    (...options) => ok(createPostgresCheckpointStore(...shared, ...options)),
    { persistent: true, propertyRuns: 15 },
  );
  describeChatHistoryContract('postgres', (id) => ok(createPostgresChatHistory(id, ...shared)), {
    persistent: true,
  });

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
    output: new Map([[name, attempts]]),
    attempts,
    finishedAt: 2,
  });

  it('keeps one row per node record, upserted, and never rewrites the run row', async () => {
    const store = await ok(createPostgresCheckpointStore(...shared));
    await ok(store.saveRun(run('rows')));
    const before = await pool.query(
      `SELECT xmin::text AS version FROM "${schema}".checkpoint_runs WHERE run_id = 'rows'`,
    );
    await ok(store.saveNode(node('rows', 'a')));
    await ok(store.saveNode(node('rows', 'b')));
    await ok(store.saveNode(node('rows', 'a', 2)));
    const rows = await pool.query(
      `SELECT node FROM "${schema}".checkpoint_nodes WHERE run_id = 'rows' ORDER BY node`,
    );
    expect(rows.rows.map((r: { node: string }) => r.node)).toEqual(['a', 'b']);
    const after = await pool.query(
      `SELECT xmin::text AS version FROM "${schema}".checkpoint_runs WHERE run_id = 'rows'`,
    );
    expect(after.rows).toEqual(before.rows); // the run row was not touched
    const loaded = await ok(store.loadRun('rows'));
    expect(loaded.nodes.find((n) => n.node === 'a')?.output).toEqual(new Map([['a', 2]]));
  });

  it('fails with invalid_state naming the table for a corrupt row', async () => {
    const store = await ok(createPostgresCheckpointStore(...shared));
    await ok(store.saveRun(run('corrupt')));
    await pool.query(
      `UPDATE "${schema}".checkpoint_runs SET record = '{"runId":' WHERE run_id = 'corrupt'`,
    );
    const error = await fails(store.loadRun('corrupt'));
    expect(error.code).toBe('invalid_state');
    expect(error.message).toContain('checkpoint_runs[corrupt]');
  });

  it('creates its tables on first use in a new schema, and migratePostgres is idempotent and safe concurrently', async () => {
    const fresh = testPostgresSchema('migrate');
    try {
      const migrations = await Promise.all(
        [1, 2, 3].map(() => migratePostgres(withPostgresUrl(URL_), withPostgresSchema(fresh))),
      );
      for (const m of migrations) expect(m.isOk()).toBe(true);
      const store = await ok(
        createPostgresCheckpointStore(withPostgresPool(pool), withPostgresSchema(fresh)),
      );
      await ok(store.saveRun(run('first')));
      const lazy = testPostgresSchema('lazy');
      const lazyStore = await ok(
        createPostgresCheckpointStore(withPostgresPool(pool), withPostgresSchema(lazy)),
      );
      await ok(lazyStore.saveRun(run('first')));
      expect((await ok(lazyStore.loadRun('first'))).run.runId).toBe('first');
      await pool.query(`DROP SCHEMA "${lazy}" CASCADE`);
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${fresh}" CASCADE`);
    }
  });

  it('bounds its own pool: many concurrent writes share maxConnections connections', async () => {
    const store = await ok(
      createPostgresCheckpointStore(
        withPostgresUrl(URL_),
        withPostgresSchema(schema),
        withPostgresMaxConnections(2),
      ),
    );
    try {
      await ok(store.saveRun(run('bounded')));
      const writes = Array.from({ length: 50 }, (_, i) => store.saveNode(node('bounded', `n${i}`)));
      let peak = 0;
      const watch = setInterval(() => {
        const report = store.check();
        void report.then((r) => {
          const total = (r.details['pool'] as { total: number }).total;
          peak = Math.max(peak, total);
        });
      }, 1);
      for (const w of writes) await ok(w);
      clearInterval(watch);
      expect(peak).toBeLessThanOrEqual(2);
      expect((await ok(store.loadRun('bounded'))).nodes).toHaveLength(50);
      const health = await store.check();
      expect(health.status).toBe('healthy');
      expect(health.details).toMatchObject({ schema, url: URL_ });
    } finally {
      await store.close();
      await store.close(); // idempotent
    }
  });

  it('a session is one ordered set of rows; replaceMessages swaps them in one transaction', async () => {
    const h = await ok(createPostgresChatHistory('replace', ...shared));
    await ok(h.addMessages([new HumanMessage('a'), new HumanMessage('b')]));
    await ok(h.replaceMessages([new HumanMessage('c')]));
    expect((await ok(h.getMessages())).map((m) => m.content)).toEqual(['c']);
    const rows = await pool.query(
      `SELECT count(*)::int AS n FROM "${schema}".chat_messages WHERE session_id = 'replace'`,
    );
    expect(rows.rows[0]).toEqual({ n: 1 });
    await pool.query(
      `INSERT INTO "${schema}".chat_messages (session_id, message) VALUES ('replace', '{"x":1}')`,
    );
    const error = await fails(h.getMessages());
    expect(error.code).toBe('invalid_state');
    expect(error.message).toContain('chat_messages');
  });

  it('a missing database or refused user is invalid_config without the password', async () => {
    const url = new URL(URL_);
    url.pathname = '/baton_no_such_database';
    url.password = 'hunter2-secret';
    const store = await ok(createPostgresCheckpointStore(withPostgresUrl(url.toString())));
    try {
      const error = await fails(store.listRuns());
      expect(error.code).toBe('invalid_config');
      expect(error.message).toContain('baton_no_such_database');
      expect(JSON.stringify(error.toJSON())).not.toContain('hunter2-secret');
    } finally {
      await store.close();
    }
  });
});

describe('unreachable PostgreSQL', () => {
  const SECRET = 'pg-secret-never-shown';
  // Nothing listens on port 1.
  const DOWN = `postgres://admin:${SECRET}@127.0.0.1:1/test`;

  it('every call fails fast with dependency_failed naming the URL, and check() is unhealthy', async () => {
    const store = await ok(createPostgresCheckpointStore(withPostgresUrl(DOWN)));
    const history = await ok(createPostgresChatHistory('s', withPostgresUrl(DOWN)));
    try {
      const calls: Promise<OrchestrationError>[] = [
        fails(store.listRuns()),
        fails(store.saveRun(run('x'))),
        fails(store.loadRun('x')),
        fails(history.addMessage(new HumanMessage('x'))),
      ];
      for (const error of await Promise.all(calls)) {
        expect(error.code).toBe('dependency_failed');
        expect(error.retryable).toBe(true);
        expect(error.message).toContain('PostgreSQL at postgres://admin:***@127.0.0.1:1/test');
        expect(error.message).toContain('ECONNREFUSED');
        expect(JSON.stringify(error.toJSON())).not.toContain(SECRET);
      }
      const report = await store.check();
      expect(report.status).toBe('unhealthy');
      expect(JSON.stringify(report)).not.toContain(SECRET);
      expect((await fails(migratePostgres(withPostgresUrl(DOWN)))).code).toBe('dependency_failed');
    } finally {
      await store.close();
      await history.close();
    }
  });

  function run(runId: string) {
    return {
      runId,
      graph: 'g',
      status: 'running' as const,
      input: null,
      startedAt: 1,
      updatedAt: 1,
    };
  }
});

describe('invalid PostgreSQL options', () => {
  it.each([
    ['a URL of another scheme', withPostgresUrl('mysql://127.0.0.1/x'), 'url'],
    ['a schema that is not an identifier', withPostgresSchema('a"; DROP'), 'schema'],
    ['a zero pool', withPostgresMaxConnections(0), 'maxConnections'],
    ['a pool that is not one', withPostgresPool({} as never), 'pool'],
  ])('rejects %s with invalid_config naming %s', async (_what, option, field) => {
    const error = await fails(createPostgresCheckpointStore(option));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain(field);
    const history = await fails(createPostgresChatHistory('s', option));
    expect(history.message).toContain(field);
  });
});
