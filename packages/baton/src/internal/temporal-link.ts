import type { HealthReport } from '@baton/core';
import { healthReport } from '@baton/core/authoring';
import {
  createTemporalWorkflow,
  withTemporalCheckTimeout,
  withTemporalConnection,
} from '@baton/workflow-temporal';
import { Connection } from '@temporalio/client';
import type { TemporalSettings } from '../orchestrator-options.js';

const CHECK_TIMEOUT_MS = 3_000;

/**
 * The Orchestrator's one connection to Temporal, shared by every workflow it creates. It is lazy:
 * nothing is dialed until a workflow or `check()` needs the server.
 */
export class TemporalLink {
  readonly namespace: string;
  readonly address: string;
  #connection: Connection | undefined;

  constructor(settings: Readonly<Required<TemporalSettings>>) {
    this.address = settings.address;
    this.namespace = settings.namespace;
  }

  connection(): Connection {
    this.#connection ??= Connection.lazy({ address: this.address, connectTimeout: 10_000 });
    return this.#connection;
  }

  /** Asks the server for its system info and the namespace (what a workflow's check does). */
  async check(): Promise<HealthReport> {
    const probe = createTemporalWorkflow(
      'baton-orchestrator-check',
      withTemporalConnection(this.connection(), this.namespace),
      // under the 5 s bound of the Orchestrator's aggregate check, so the report names Temporal
      withTemporalCheckTimeout(CHECK_TIMEOUT_MS),
    );
    if (probe.isErr()) {
      return healthReport('temporal', 'unhealthy', { error: probe.error.message });
    }
    const report = await probe.value.check();
    const { address: _given, ...details } = report.details;
    return healthReport('temporal', report.status, { address: this.address, ...details });
  }

  async close(): Promise<void> {
    const open = this.#connection;
    this.#connection = undefined;
    await open?.close().catch(() => undefined);
  }
}
