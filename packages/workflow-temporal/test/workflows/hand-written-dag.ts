/**
 * The reference a graph interpreter is measured against: a DAG written by hand as a Temporal
 * workflow, each node an activity named after it, started as soon as its predecessors are done.
 * Node input follows Baton's graph rules: the graph input for a root, the one predecessor's
 * output, or a record of the predecessors' outputs.
 */
import { proxyActivities } from '@temporalio/workflow';

export interface HandWrittenDagInput {
  readonly nodes: readonly { readonly name: string; readonly deps: readonly string[] }[];
  readonly input: unknown;
  /** A worker silent this long is taken as lost; its attempts run again elsewhere. @default 30000 */
  readonly heartbeatTimeoutMs?: number;
}

type NodeActivities = Record<string, (input: unknown) => Promise<unknown>>;

export async function handWrittenDag(args: HandWrittenDagInput): Promise<Record<string, unknown>> {
  const activities = proxyActivities<NodeActivities>({
    startToCloseTimeout: '60s',
    heartbeatTimeout: args.heartbeatTimeoutMs ?? 30_000,
    retry: { maximumAttempts: 5, initialInterval: 100 },
  });
  const done = new Map<string, Promise<unknown>>();
  for (const node of args.nodes) {
    const deps = node.deps.map((d) => done.get(d) ?? Promise.reject(new Error(`unknown ${d}`)));
    done.set(
      node.name,
      Promise.all(deps).then((values) => {
        const input =
          node.deps.length === 0
            ? args.input
            : node.deps.length === 1
              ? values[0]
              : Object.fromEntries(node.deps.map((d, i) => [d, values[i]]));
        const activity = activities[node.name];
        if (activity === undefined) throw new Error('unreachable: proxyActivities has every name');
        return activity(input);
      }),
    );
  }
  const entries = [...done.entries()];
  const outputs = await Promise.all(entries.map(([, output]) => output));
  return Object.fromEntries(entries.map(([name], i) => [name, outputs[i]]));
}
