/**
 * Cycles and tasks that can never run, over the dependencies between tasks. Iterative (no
 * recursion), linear in tasks + dependencies.
 */

/** A task as the checks see it: its known dependencies, by index into the task list. */
export interface GraphTask {
  readonly id: string;
  /** Indexes of the tasks it depends on, with whether the dependency is required. */
  readonly dependencies: readonly {
    readonly task: number;
    readonly required: boolean;
    readonly entry: number;
  }[];
  /** Its `when` is constant and false. */
  readonly neverRuns: boolean;
}

export interface GraphProblem {
  readonly task: number;
  /** The dependency entry the problem is about, or undefined for the task's `when`. */
  readonly entry: number | undefined;
  readonly kind: 'cycle' | 'unreachable';
  readonly message: string;
}

/** Strongly connected components (Tarjan, iterative), as lists of task indexes. */
function components(tasks: readonly GraphTask[]): number[][] {
  const index = new Int32Array(tasks.length).fill(-1);
  const low = new Int32Array(tasks.length);
  const onStack = new Uint8Array(tasks.length);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let root = 0; root < tasks.length; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    while (work.length > 0) {
      const frame = work[work.length - 1] as [number, number];
      const [v, i] = frame;
      if (i === 0) {
        index[v] = low[v] = counter++;
        stack.push(v);
        onStack[v] = 1;
      }
      const deps = (tasks[v] as GraphTask).dependencies;
      if (i < deps.length) {
        frame[1] = i + 1;
        const w = (deps[i] as { task: number }).task;
        if (index[w] === -1) work.push([w, 0]);
        else if (onStack[w] === 1) low[v] = Math.min(low[v] as number, index[w] as number);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined)
        low[parent[0]] = Math.min(low[parent[0]] as number, low[v] as number);
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        out.push(component);
      }
    }
  }
  return out;
}

/** One cycle through `start` inside `members`, as task indexes from `start` back to it. */
function cycleThrough(
  tasks: readonly GraphTask[],
  start: number,
  members: ReadonlySet<number>,
): number[] {
  const previous = new Map<number, number>();
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q] as number;
    for (const d of (tasks[v] as GraphTask).dependencies) {
      if (!members.has(d.task)) continue;
      if (d.task === start) {
        const back = [start, v];
        while (back[back.length - 1] !== start)
          back.push(previous.get(back[back.length - 1] as number) as number);
        return back.reverse();
      }
      if (!previous.has(d.task)) {
        previous.set(d.task, v);
        queue.push(d.task);
      }
    }
  }
  return [start, start];
}

/** `a -> b -> a`; a long cycle shows its ends and how many tasks it has. */
function showCycle(ids: readonly string[]): string {
  if (ids.length <= 12) return ids.join(' -> ');
  const middle = `... (${ids.length - 1} tasks) ...`;
  return [...ids.slice(0, 5), middle, ...ids.slice(-5)].join(' -> ');
}

/** Every dependency cycle (named) and every task that can never run, once each. */
export function checkGraph(tasks: readonly GraphTask[]): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const blockedBy = new Map<number, number>();
  for (const component of components(tasks)) {
    const start = component.reduce((a, b) => Math.min(a, b));
    const selfLoop = (tasks[start] as GraphTask).dependencies.some((d) => d.task === start);
    if (component.length === 1 && !selfLoop) continue;
    const cycle = cycleThrough(tasks, start, new Set(component));
    const next = cycle[1] as number;
    const entry = (tasks[start] as GraphTask).dependencies.find((d) => d.task === next)?.entry;
    problems.push({
      task: start,
      entry,
      kind: 'cycle',
      message: `dependency cycle: ${showCycle(cycle.map((t) => (tasks[t] as GraphTask).id))}`,
    });
    for (const member of component) blockedBy.set(member, member);
  }
  // Dependents of a cycle wait forever; dependents of a task that never runs are skipped through
  // required dependencies. Decide in order of the tasks' dependencies.
  const dependents: { task: number; required: boolean; entry: number }[][] = tasks.map(() => []);
  const pending = new Int32Array(tasks.length);
  tasks.forEach((t, v) => {
    pending[v] = t.dependencies.length;
    for (const d of t.dependencies)
      dependents[d.task]?.push({ task: v, required: d.required, entry: d.entry });
  });
  const never = new Uint8Array(tasks.length);
  const queue: number[] = [];
  tasks.forEach((t, v) => {
    if (t.neverRuns && !blockedBy.has(v)) {
      never[v] = 1;
      problems.push({
        task: v,
        entry: undefined,
        kind: 'unreachable',
        message: `task "${t.id}" never runs: its condition is always false`,
      });
    }
    if (pending[v] === 0) queue.push(v);
  });
  const cycleQueue = [...blockedBy.keys()];
  for (let q = 0; q < cycleQueue.length; q++) {
    const v = cycleQueue[q] as number;
    for (const d of dependents[v] ?? []) {
      if (blockedBy.has(d.task)) continue;
      blockedBy.set(d.task, v);
      cycleQueue.push(d.task);
      const { id } = tasks[d.task] as GraphTask;
      problems.push({
        task: d.task,
        entry: d.entry,
        kind: 'unreachable',
        message: `task "${id}" never runs: it waits for "${(tasks[v] as GraphTask).id}", which is in a dependency cycle`,
      });
    }
  }
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q] as number;
    for (const d of dependents[v] ?? []) {
      if (never[v] === 1 && d.required && never[d.task] === 0 && !blockedBy.has(d.task)) {
        never[d.task] = 1;
        const { id } = tasks[d.task] as GraphTask;
        problems.push({
          task: d.task,
          entry: d.entry,
          kind: 'unreachable',
          message: `task "${id}" never runs: it requires "${(tasks[v] as GraphTask).id}", which never runs`,
        });
      }
      pending[d.task] = (pending[d.task] as number) - 1;
      if (pending[d.task] === 0) queue.push(d.task);
    }
  }
  return problems;
}
