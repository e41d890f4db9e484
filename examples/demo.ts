/**
 * Baton in one screen: a research pipeline as a parallel graph.
 *
 * `plan` splits a question into topics; three retrievers run at the same time (one of them is
 * flaky and is retried); `draft` waits for all of them and receives `{ [parent]: output }`;
 * `cite` is an optional extra that may fail without failing the run. Every event is printed as it
 * happens, with milliseconds since the start, so you can see the retrievers overlap.
 * No network, no API key: every step is a local function with a small delay.
 *
 * Run: pnpm demo
 */
import { runnable, toAsyncIterable, type RunEvent } from '@baton/core';
import {
  createGraphBuilder,
  withGraphMaxWorkers,
  withGraphName,
  withNodePriority,
  withNodeRetries,
  withNodeRetryPolicy,
} from '@baton/graph';

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    });
  });

const plan = runnable('plan', (question: string) => ({
  question,
  topics: ['history', 'practice', 'risks'],
}));

function retriever<const T extends string>(topic: T, delayMs: number) {
  return runnable(`search-${topic}` as const, async (input: { topics: string[] }, ctx) => {
    await sleep(delayMs, ctx.signal);
    return `${topic}: ${input.topics.length} sources`;
  });
}

let flakyCalls = 0;
const flaky = runnable('search-risks', async (_: { topics: string[] }, ctx) => {
  flakyCalls += 1;
  await sleep(40, ctx.signal);
  if (flakyCalls === 1) throw new Error('search backend returned 503');
  return 'risks: 2 sources';
});

const draft = runnable('draft', (found: Record<string, string>) =>
  Object.values(found)
    .map((line) => `- ${line}`)
    .join('\n'),
);

const cite = runnable('cite', () => {
  throw new Error('citation service is offline');
});

const graph = createGraphBuilder()
  .node(plan)
  .node(retriever('history', 120), withNodePriority(1))
  .node(retriever('practice', 80))
  .node(flaky, withNodeRetries(2), withNodeRetryPolicy({ initialDelayMs: 20 }))
  .node(cite)
  .node(draft)
  .edge('plan', 'search-history')
  .edge('plan', 'search-practice')
  .edge('plan', 'search-risks')
  .edge('plan', 'cite')
  .edge('search-history', 'draft')
  .edge('search-practice', 'draft')
  .edge('search-risks', 'draft')
  .edge('cite', 'draft', { required: false })
  .build(withGraphName('research'), withGraphMaxWorkers(4)); // Result<Graph<string, string>>

if (graph.isErr()) {
  console.error(graph.error.message);
  process.exit(1);
}

console.log('The graph (Mermaid; dotted = optional edge):\n');
console.log(graph.value.toMermaid());
console.log('\nRunning it:\n');

const started = performance.now();
const describe = (event: RunEvent<string>): string => {
  switch (event.type) {
    case 'step-retry':
      return `${event.error.message}; retry in ${Math.round(event.delayMs)} ms`;
    case 'step-error':
      return `${event.error.message} (optional: the run goes on)`;
    case 'step-end':
      return `${event.step} done in ${Math.round(event.durationMs)} ms`;
    case 'step-start':
    case 'step-skip':
    case 'step-interrupt':
    case 'chunk':
      return event.step;
    case 'run-start':
    case 'run-end':
      return event.name;
  }
};

try {
  for await (const event of toAsyncIterable(graph.value.stream('How do teams ship safely?'))) {
    const at = `${Math.round(performance.now() - started)} ms`.padStart(7);
    console.log(`${at}  ${event.type.padEnd(10)} ${describe(event)}`);
    if (event.type === 'run-end') console.log(`\nResult:\n${event.output}`);
  }
} catch (error) {
  console.error('the run failed:', error);
  process.exit(1);
}
