import type { TriggerRule } from '@baton/core';

/** Every trigger rule, by code: a node's rule is stored as its index here. */
export const TRIGGER_RULES: readonly TriggerRule[] = Object.freeze([
  'all_success',
  'all_done',
  'all_failed',
  'one_success',
  'one_failed',
  'none_failed',
  'none_failed_min_one_success',
  'none_skipped',
]);

const ALL_SUCCESS = 0;
const ALL_DONE = 1;
export const ALL_FAILED = 2;
export const ONE_SUCCESS = 3;
export const ONE_FAILED = 4;
const NONE_FAILED = 5;
export const NONE_FAILED_MIN_ONE_SUCCESS = 6;
const NONE_SKIPPED = 7;

/** The code of a rule name; -1 for anything else. */
export function triggerRuleCode(rule: unknown): number {
  return TRIGGER_RULES.indexOf(rule as TriggerRule);
}

/** The node runs. */
export const RUN = 0;
/** The node is skipped. */
export const SKIP = 1;
/** The node fails with `dependency_failed`. */
const FAIL = 2;
/** What a trigger rule decides. */
export type Verdict = typeof RUN | typeof SKIP | typeof FAIL;

/**
 * What `rule` decides for a node once all its `parents` settled: how many succeeded and failed
 * (any edge kind), and how many failed or were skipped through required or conditional edges
 * (a router that did not pick the node counts as skipped); an optional edge never makes its
 * child fail or be skipped. Entry points (no parents) always run. The table in `docs/graph.md`
 * says the same in words.
 */
export function decide(
  rule: number,
  parents: number,
  succeeded: number,
  failed: number,
  requiredFailed: number,
  requiredSkipped: number,
): Verdict {
  if (parents === 0) return RUN;
  switch (rule) {
    case ALL_DONE:
      return RUN;
    case ALL_FAILED:
      return failed === parents ? RUN : SKIP;
    case ONE_FAILED:
      return failed > 0 ? RUN : SKIP;
    case ONE_SUCCESS:
      return succeeded > 0 ? RUN : failed > 0 ? FAIL : SKIP;
    case NONE_FAILED:
      return requiredFailed > 0 ? FAIL : RUN;
    case NONE_FAILED_MIN_ONE_SUCCESS:
      if (requiredFailed > 0) return FAIL;
      return succeeded > 0 ? RUN : failed > 0 ? FAIL : SKIP;
    case NONE_SKIPPED:
      return requiredSkipped > 0 ? SKIP : RUN;
    default: // ALL_SUCCESS
      return requiredFailed > 0 ? FAIL : requiredSkipped > 0 ? SKIP : RUN;
  }
}

/**
 * Whether a failure reaching a node through a required edge certainly fails it (whatever its
 * other parents do): true for the rules that fail on any required failure.
 */
export function failsOnRequiredFailure(rule: number): boolean {
  return rule === ALL_SUCCESS || rule === NONE_FAILED || rule === NONE_FAILED_MIN_ONE_SUCCESS;
}
