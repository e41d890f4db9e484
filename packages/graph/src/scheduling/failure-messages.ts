/**
 * The message of a node that did not run because a required dependency failed (`required`), or
 * because none of its dependencies succeeded and `dependency` failed (trigger rules
 * `one_success`, `none_failed_min_one_success`). One wording for every driver of the rules.
 */
export function dependencyFailedMessage(
  graph: string,
  node: string,
  dependency: string,
  root: string,
  rootMessage: string,
  required: boolean,
): string {
  const via = root === dependency ? '' : ` (because "${root}" failed)`;
  const why = required
    ? `its required dependency "${dependency}" failed`
    : `none of its dependencies succeeded and "${dependency}" failed`;
  return `${graph}: node "${node}" did not run: ${why}${via}: ${rootMessage}`;
}
