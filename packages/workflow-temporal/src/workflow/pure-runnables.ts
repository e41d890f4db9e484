/**
 * The pure runnables a workflow bundle holds: functions the graph interpreter runs inside the
 * workflow for nodes marked `withNodePure()`, instead of scheduling an activity. Sandbox code:
 * no imports.
 */

/** What a pure runnable is told about the call. */
export interface PureContext {
  /** The graph's name. */
  readonly graph: string;
  /** The node's name. */
  readonly node: string;
  /** 1 on the first attempt, 2 on the first retry, ... */
  readonly attempt: number;
}

/**
 * A pure runnable: deterministic (the same input gives the same output, on every replay), with
 * no I/O, timers, randomness or clocks of its own. It may be `async` and await Temporal workflow
 * APIs (e.g. an activity through `proxyActivities`), since it runs in the workflow. It returns
 * its output, or throws, or returns a neverthrow `Err`: an `OrchestrationError` keeps its code,
 * message, retryability and details, anything else becomes `execution_failed`, as in-process.
 */
export type PureRunnable = (input: never, context: PureContext) => unknown;

/** A pure node's router: picks one target name or several from the node's output. */
export type PureRouter = (output: never) => string | readonly string[];

const runnables = new Map<string, PureRunnable>();
const routers = new Map<string, PureRouter>();

function register<T>(kind: string, into: Map<string, T>, given: Readonly<Record<string, T>>): void {
  if (typeof given !== 'object' || given === null)
    throw new TypeError(`register${kind}s expects a record of functions by name`);
  for (const [name, fn] of Object.entries(given)) {
    if (typeof fn !== 'function')
      throw new TypeError(`register${kind}s: "${name}" is not a function`);
    const seen = into.get(name);
    if (seen !== undefined && seen !== fn)
      throw new TypeError(
        `register${kind}s: two different functions are registered as "${name}"; names must be unique`,
      );
    into.set(name, fn);
  }
}

/**
 * Registers pure runnables by the name a graph's spec records for them (the Runnable's `name`),
 * for the nodes marked `withNodePure()`. Call it at the top level of a module the worker bundles
 * (`createBatonWorker({ pureRunnablesPath })`, or a module your workflows module imports).
 * Throws a `TypeError` (a programming error) for a value that is not a function or a name given
 * to two different functions.
 *
 * @example
 * // pure-nodes.ts
 * import { registerPureRunnables } from '@baton/workflow-temporal/workflow';
 * export const normalise = (text: string) => text.trim().toLowerCase();
 * registerPureRunnables({ normalise });
 */
export function registerPureRunnables(given: Readonly<Record<string, PureRunnable>>): void {
  register('PureRunnable', runnables, given);
}

/** Registers the routers of pure nodes by the name the spec records (see `registerPureRunnables`). */
export function registerPureRouters(given: Readonly<Record<string, PureRouter>>): void {
  register('PureRouter', routers, given);
}

/** The pure runnable registered as `name`. */
export function pureRunnable(name: string): PureRunnable | undefined {
  return runnables.get(name);
}

/** The pure router registered as `name`. */
export function pureRouter(name: string): PureRouter | undefined {
  return routers.get(name);
}

/** The names registered, sorted (for error messages and the worker's check). */
export function pureNames(): { runnables: string[]; routers: string[] } {
  return { runnables: [...runnables.keys()].sort(), routers: [...routers.keys()].sort() };
}
