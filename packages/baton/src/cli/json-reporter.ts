import type { RunEvent } from '@baton/core';
import type { Reporter, Streams } from './reporter.js';

/** Errors as `{ code, message, op, retryable }`; everything else as JSON has it. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; op?: unknown; retryable?: unknown };
    return { name: e.name, code: e.code, message: e.message, op: e.op, retryable: e.retryable };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** One JSON document per line. */
export function ndjson(value: unknown): string {
  return `${JSON.stringify(value, replacer)}\n`;
}

/**
 * `--json`: every run event as one JSON line on stdout, then a `result` line; notes go to
 * stderr, so stdout stays machine-readable.
 */
export function createJsonReporter(streams: Streams): Reporter {
  let runId = '';
  return {
    start(info) {
      runId = info.runId;
      streams.stdout.write(
        ndjson({
          type: 'run-info',
          runId,
          pipeline: info.pipeline,
          tasks: info.tasks,
          store: info.store,
          resumed: info.resumed,
        }),
      );
    },
    event(event: RunEvent) {
      streams.stdout.write(ndjson(event));
    },
    note(message) {
      streams.stderr.write(`${message}\n`);
    },
    finish(outcome, model) {
      streams.stdout.write(
        ndjson({ type: 'result', runId, ...outcome, progress: model.progress() }),
      );
    },
  };
}
