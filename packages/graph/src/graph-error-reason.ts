/**
 * Why a structure operation or validation failed, in `error.details.reason`, so callers can
 * branch on it without parsing messages.
 */
export type GraphErrorReason =
  | 'frozen'
  | 'invalid-name'
  | 'invalid-runnable'
  | 'invalid-option'
  | 'duplicate-node'
  | 'unknown-node'
  | 'self-edge'
  | 'duplicate-edge'
  | 'invalid-edge-options'
  | 'invalid-router'
  | 'invalid-targets'
  | 'duplicate-router'
  | 'empty-graph'
  | 'cycle'
  | 'unreachable'
  | 'entry-has-parents'
  | 'no-checkpointer'
  | 'checkpoint-mismatch'
  | 'run-exists'
  | 'nesting-too-deep'
  | 'not-serialisable'
  | 'invalid-spec';
