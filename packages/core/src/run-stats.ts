import { z } from 'zod';
import { isCancellation, OrchestrationError } from './errors.js';
import type { Mutable, Option } from './options.js';

/** What a statistic is about. */
export type RunStatsKind = 'graph' | 'chain' | 'node';

/** Durations of one component's runs, in milliseconds (quantiles within about 2%). */
export interface DurationSummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Counts and durations of one graph, chain or node. */
export interface RunStatsEntry {
  /** Runs that ended (succeeded, failed or were canceled). */
  readonly count: number;
  readonly errors: number;
  /** Runs canceled by their caller: neither successes nor errors. */
  readonly canceled: number;
  /** `errors / (count - canceled)`; 0 before the first run. */
  readonly errorRate: number;
  /** `undefined` before the first run. */
  readonly durationMs: DurationSummary | undefined;
}

/** A graph's entry, with one entry per node that ran. */
export interface GraphRunStats extends RunStatsEntry {
  readonly nodes: Readonly<Record<string, RunStatsEntry>>;
}

/** The statistics of a {@link RunStats}, by component name. */
export interface RunStatsSummary {
  readonly graphs: Readonly<Record<string, GraphRunStats>>;
  readonly chains: Readonly<Record<string, RunStatsEntry>>;
  /** Components not tracked because `maxEntries` was reached. */
  readonly dropped: number;
}

/**
 * Run statistics kept in process: count, error rate and duration percentiles per graph, per node
 * and per chain, in bounded memory. Give it to graphs and chains with `withRunStats(stats)`.
 */
export interface RunStats {
  /**
   * Records one ended run. `graph` names the graph a node belongs to (required for nodes).
   * `error` is what it failed with, if it failed.
   */
  record(
    kind: RunStatsKind,
    name: string,
    durationMs: number,
    error?: unknown,
    graph?: string,
  ): void;
  /** A snapshot (plain data, JSON-serialisable). */
  summary(): RunStatsSummary;
  /** Forgets everything recorded. */
  reset(): void;
}

/** Settings of {@link createRunStats}. */
export interface RunStatsOptions {
  /**
   * Most components (graphs + nodes + chains) tracked; later ones are counted in `dropped`.
   * @default 1000
   */
  readonly maxEntries?: number;
}

// Log buckets of ratio GAMMA: a quantile is off by at most (GAMMA - 1) / (GAMMA + 1), about 2%.
const GAMMA = 1.04;
const LOG_GAMMA = Math.log(GAMMA);
/** Durations below this (ms) share bucket 0. */
const MIN_MS = 0.001;

/** A quantile sketch over log buckets (DDSketch): memory bounded by the range of durations. */
class Sketch {
  readonly buckets = new Map<number, number>();
  count = 0;
  errors = 0;
  canceled = 0;
  sum = 0;
  max = 0;

  add(ms: number): void {
    const index = ms <= MIN_MS ? 0 : Math.ceil(Math.log(ms / MIN_MS) / LOG_GAMMA);
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1);
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  quantile(sorted: readonly [number, number][], timed: number, q: number): number {
    const rank = Math.max(1, Math.ceil(q * timed));
    let seen = 0;
    for (const [index, n] of sorted) {
      seen += n;
      if (seen >= rank) {
        if (index === 0) return 0;
        // The middle of the bucket (GAMMA^(i-1), GAMMA^i] in relative terms.
        const value = (MIN_MS * 2 * GAMMA ** index) / (GAMMA + 1);
        return Math.min(round(value), round(this.max));
      }
    }
    return round(this.max);
  }

  entry(): RunStatsEntry {
    const timed = this.count;
    const ended = this.count - this.canceled;
    let durationMs: DurationSummary | undefined;
    if (timed > 0) {
      const sorted = [...this.buckets].sort((a, b) => a[0] - b[0]);
      durationMs = {
        p50: this.quantile(sorted, timed, 0.5),
        p95: this.quantile(sorted, timed, 0.95),
        p99: this.quantile(sorted, timed, 0.99),
        max: round(this.max),
        mean: round(this.sum / timed),
      };
    }
    return {
      count: this.count,
      errors: this.errors,
      canceled: this.canceled,
      errorRate: ended === 0 ? 0 : this.errors / ended,
      durationMs,
    };
  }
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

class InProcessRunStats implements RunStats {
  #graphs = new Map<string, { sketch: Sketch; nodes: Map<string, Sketch> }>();
  #chains = new Map<string, Sketch>();
  #entries = 0;
  #dropped = 0;

  constructor(private readonly maxEntries: number) {}

  record(
    kind: RunStatsKind,
    name: string,
    durationMs: number,
    error?: unknown,
    graph?: string,
  ): void {
    const sketch = this.#sketch(kind, name, graph);
    if (sketch === undefined) return;
    sketch.count += 1;
    if (error !== undefined) {
      if (isCancellation(error)) sketch.canceled += 1;
      else sketch.errors += 1;
    }
    sketch.add(Number.isFinite(durationMs) && durationMs > 0 ? durationMs : 0);
  }

  #sketch(kind: RunStatsKind, name: string, graph: string | undefined): Sketch | undefined {
    if (kind === 'chain') return this.#get(this.#chains, name);
    const g = kind === 'graph' ? name : (graph ?? '');
    let entry = this.#graphs.get(g);
    if (entry === undefined) {
      if (!this.#room()) return undefined;
      entry = { sketch: new Sketch(), nodes: new Map() };
      this.#graphs.set(g, entry);
    }
    return kind === 'graph' ? entry.sketch : this.#get(entry.nodes, name);
  }

  #get(map: Map<string, Sketch>, name: string): Sketch | undefined {
    let sketch = map.get(name);
    if (sketch === undefined) {
      if (!this.#room()) return undefined;
      sketch = new Sketch();
      map.set(name, sketch);
    }
    return sketch;
  }

  #room(): boolean {
    if (this.#entries >= this.maxEntries) {
      this.#dropped += 1;
      return false;
    }
    this.#entries += 1;
    return true;
  }

  summary(): RunStatsSummary {
    const graphs: Record<string, GraphRunStats> = {};
    for (const [name, { sketch, nodes }] of this.#graphs) {
      const byNode: Record<string, RunStatsEntry> = {};
      for (const [node, s] of nodes) byNode[node] = s.entry();
      graphs[name] = { ...sketch.entry(), nodes: byNode };
    }
    const chains: Record<string, RunStatsEntry> = {};
    for (const [name, s] of this.#chains) chains[name] = s.entry();
    return { graphs, chains, dropped: this.#dropped };
  }

  reset(): void {
    this.#graphs = new Map();
    this.#chains = new Map();
    this.#entries = 0;
    this.#dropped = 0;
  }
}

/**
 * Creates in-process run statistics: count, error rate and duration percentiles (p50/p95/p99,
 * within about 2%) per graph, per node and per chain. Memory is bounded: a few hundred counters
 * per component at most, and at most `maxEntries` components. They add to the OpenTelemetry
 * metrics, for a quick summary without a metrics backend.
 *
 * @example
 * const stats = createRunStats();
 * const graph = createGraph(withRunStats(stats));
 * stats.summary().graphs['my-graph']?.durationMs?.p95;
 */
export function createRunStats(options: RunStatsOptions = {}): RunStats {
  const max = options.maxEntries ?? 1000;
  if (!Number.isInteger(max) || max < 1) {
    throw new OrchestrationError(
      'invalid_config',
      `createRunStats: maxEntries must be a whole number >= 1, got ${String(max)}`,
      { op: 'createRunStats', details: { field: 'maxEntries', value: max } },
    );
  }
  return new InProcessRunStats(max);
}

/** zod field validating `RunStatsConfig`; spread it into a graph's or chain's config schema. */
export const runStatsShape = {
  runStats: z
    .custom<RunStats | undefined>(
      (v) =>
        v === undefined ||
        (typeof v === 'object' &&
          v !== null &&
          typeof (v as Partial<RunStats>).record === 'function' &&
          typeof (v as Partial<RunStats>).summary === 'function'),
      { error: 'withRunStats expects run statistics from createRunStats()' },
    )
    .optional(),
};

/** Configs that can record run statistics. */
export interface RunStatsConfig {
  /** Where runs are recorded. @default undefined (not recorded) */
  readonly runStats?: RunStats | undefined;
}

/**
 * Records the runs of a graph (and each of its nodes) or a chain in `stats`.
 * @default undefined (no statistics)
 */
export function withRunStats<C extends RunStatsConfig>(stats: RunStats): Option<C> {
  return (draft) => {
    (draft as Mutable<RunStatsConfig>).runStats = stats;
  };
}

/**
 * Records `run` in `stats` when it settles (its duration from now, and its error if it fails);
 * returns `run` itself when there are no stats. For runners (graphs, chains).
 */
export function recordRun<T>(
  stats: RunStats | undefined,
  kind: RunStatsKind,
  name: string,
  run: Promise<T>,
  graph?: string,
): Promise<T> {
  if (stats === undefined) return run;
  const started = performance.now();
  return run.then(
    (output) => {
      stats.record(kind, name, performance.now() - started, undefined, graph);
      return output;
    },
    (error: unknown) => {
      stats.record(kind, name, performance.now() - started, error, graph);
      throw error;
    },
  );
}
