import type { Bench } from 'tinybench';

/**
 * Mean time per invoke (ns) of every task of a finished bench, printed as a table. Tasks are named
 * `<label> n=10` and `<label> n=100`; `perStep(label)` is the overhead of one step,
 * `(t(100) - t(10)) / 90`, so the fixed per-run cost cancels out.
 */
export function stepOverhead(bench: Bench): { perStep: (label: string) => number } {
  const mean = new Map<string, number>();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    mean.set(task.name, result.latency.mean * 1e6); // ns
  }
  console.table(
    [...mean].map(([name, ns]) => ({ task: name, 'mean per invoke (µs)': (ns / 1e3).toFixed(2) })),
  );
  return {
    perStep: (label) =>
      ((mean.get(`${label} n=100`) ?? NaN) - (mean.get(`${label} n=10`) ?? NaN)) / 90,
  };
}
