import type { RunCheckpoint } from '@baton/core';

/** What `baton run` records in a run's metadata, so `resume`, `show` and `graph --run` can rebuild it. */
export interface CliRunMetadata {
  /** Absolute path of the pipeline file. */
  readonly file: string;
  /** Absolute paths of the `--actions` modules. */
  readonly actions: readonly string[];
  /** Task ids in declaration order. */
  readonly tasks: readonly string[];
  readonly pipeline: string;
}

/** The metadata key (run metadata is shared with the tasks: a namespaced key). */
export const METADATA_KEY = 'baton.cli';

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** The CLI's metadata of a stored run; undefined for runs not started by `baton run`. */
export function readRunMetadata(run: RunCheckpoint): CliRunMetadata | undefined {
  const raw = run.metadata?.[METADATA_KEY] as Partial<CliRunMetadata> | undefined;
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { file, actions, tasks, pipeline } = raw;
  if (typeof file !== 'string' || typeof pipeline !== 'string') return undefined;
  if (!isStrings(actions) || !isStrings(tasks)) return undefined;
  return { file, actions, tasks, pipeline };
}
