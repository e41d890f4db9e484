/**
 * Vitest globalSetup of the `temporal` project (root `vitest.config.ts`): starts ONE
 * `temporal server start-dev` for every `*.temporal.test.ts` suite of the run and stops it at the
 * end. Vitest runs it only when such a suite is part of the run, so other runs pay nothing.
 * Suites read the server with `inject('temporal')`: `undefined` means "skip" (CLI missing, not
 * under CI: {@link requireTemporal} printed how to enable it); under `CI=true` a missing CLI
 * throws here and fails the run.
 */
import type { TestProject } from 'vitest/node';
import { requireTemporal } from './require-temporal.js';
import { startTemporalDevServer } from './temporal-dev-server.js';

/** What suites get from `inject('temporal')`. */
export interface ProvidedTemporal {
  /** `host:port` of the dev server's frontend. */
  readonly address: string;
  readonly namespace: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's Temporal dev server, or `undefined` when Temporal suites must skip. */
    temporal: ProvidedTemporal | undefined;
  }
}

/**
 * Custom search attributes the run's server registers, for suites that test indexed attributes
 * (the dev server also has its own `CustomKeywordField`, `CustomIntField`, ...).
 */
const TEST_SEARCH_ATTRIBUTES = {
  BatonTestKeyword: 'Keyword',
  BatonTestInt: 'Int',
  BatonTestDouble: 'Double',
  BatonTestBool: 'Bool',
  BatonTestDatetime: 'Datetime',
  BatonTestKeywordList: 'KeywordList',
} as const;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!requireTemporal()) {
    project.provide('temporal', undefined);
    return async () => {};
  }
  const server = await startTemporalDevServer({ searchAttributes: TEST_SEARCH_ATTRIBUTES });
  project.provide('temporal', { address: server.address, namespace: server.namespace });
  return () => server.stop();
}
