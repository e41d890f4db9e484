/**
 * Pipeline files: validating and compiling a 1,000-task pipeline file (target: well under a
 * second). Side by side in the same process with what the steps cost on their own:
 *
 * - `parsePipeline (yaml)`: the `yaml` package parsing the file with positions, to plain data
 *   (the floor: a pipeline file is YAML).
 * - `parse + validate`: `parsePipeline` + `validatePipeline` (every check, all diagnostics).
 * - `parse + validate + compile`: the above + `compilePipeline` (the GraphSpec, checked by the
 *   graph, and its runnables).
 * - `graphFromSpec`: building the graph from the compiled spec alone (what compile pays the graph).
 *
 * The file: each task depends on the one before and the one 7 before, reads their outputs and an
 * input in its prompt, and every 10th task has a `when`.
 */
import { runnable } from '@baton/core';
import { graphFromSpec } from '@baton/graph';
import { compilePipeline, parsePipeline, validatePipeline, type ActionLookup } from 'baton';
import { Bench } from 'tinybench';

const TASKS = 1_000;

function pipelineFile(tasks: number): string {
  const lines = ['id: big', 'name: A 1,000-task pipeline', 'inputs:', '  topic: string', 'tasks:'];
  for (let i = 0; i < tasks; i++) {
    const deps = [i - 1, i - 7].filter((d) => d >= 0).map((d) => `t${d}`);
    lines.push(`  - id: t${i}`, `    action: generate_text`, `    priority: ${i % 4}`);
    const reads = deps.map((d) => `{${d}}`).join(' and ');
    lines.push(`    parameters:`, `      prompt: "Step ${i} on {topic}: ${reads}"`);
    if (deps.length > 0) lines.push(`    dependencies: [${deps.join(', ')}]`);
    if (i % 10 === 5) lines.push(`    when: "input.topic != 'skip' and t${i - 1} != null"`);
  }
  return `${lines.join('\n')}\n`;
}

const generateText = runnable('generate_text', (input: Record<string, unknown>) =>
  String(input.prompt),
);
const actions: ActionLookup = {
  get: (name) => (name === 'generate_text' ? { name, runnable: generateText } : undefined),
  names: () => ['generate_text'],
};
const text = pipelineFile(TASKS);

function validate() {
  return parsePipeline(text, { file: 'big.yaml' }).andThen((p) => validatePipeline(p, { actions }));
}
function compile() {
  return validate().andThen((pipeline) => compilePipeline(pipeline, { actions }));
}

const compiled = compile()._unsafeUnwrap();
const bench = new Bench({ time: 3_000, warmupTime: 500 });
bench
  .add('parsePipeline (yaml)', () => {
    parsePipeline(text, { file: 'big.yaml' })._unsafeUnwrap();
  })
  .add('parse + validate', () => {
    validate()._unsafeUnwrap();
  })
  .add('parse + validate + compile', () => {
    compile()._unsafeUnwrap();
  })
  .add('graphFromSpec (compiled spec)', () => {
    graphFromSpec(compiled.spec, compiled)._unsafeUnwrap();
  });
await bench.run();

const mean = new Map(
  bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    return [task.name, result.latency.mean] as const;
  }),
);
console.log(
  `\nPipeline file with ${TASKS} tasks (${(text.length / 1024).toFixed(0)} KiB, ${compiled.spec.nodes.length} graph nodes, ${compiled.spec.edges.length} edges)`,
);
console.table(
  [...mean].map(([task, ms]) => ({
    task,
    'mean (ms)': ms.toFixed(2),
    'x parse': (ms / (mean.get('parsePipeline (yaml)') ?? ms)).toFixed(2),
  })),
);
const total = mean.get('parse + validate + compile') ?? NaN;
// CPU time too: on a shared machine wall time also counts the time other processes hold the CPU.
const before = process.cpuUsage();
for (let i = 0; i < 10; i++) compile()._unsafeUnwrap();
const cpu = process.cpuUsage(before);
console.log(
  `Validate + compile ${TASKS} tasks: ${total.toFixed(1)} ms wall, ${((cpu.user + cpu.system) / 10_000).toFixed(1)} ms CPU (target: well under 1,000 ms)`,
);
