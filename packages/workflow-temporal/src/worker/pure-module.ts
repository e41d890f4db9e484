import { OrchestrationError, type GraphSpec } from '@baton/core';
import { showValue } from '@baton/core/authoring';
import { pathToFileURL } from 'node:url';
import { ResultAsync, errAsync, okAsync } from 'neverthrow';
import { pureNames } from '../workflow/pure-runnables.js';

/** Where the worker's workflow code comes from, as far as pure nodes care. */
export interface PureModuleConfig {
  readonly pureRunnablesPath?: string | undefined;
  readonly workflowsPath?: string | undefined;
  readonly workflowBundle?: unknown;
}

function invalid(message: string, field: string, value: unknown): OrchestrationError {
  return new OrchestrationError('invalid_config', `createBatonWorker: ${message}`, {
    op: 'createBatonWorker',
    details: { field, value },
  });
}

/** The first pure node of `specs` whose runnable or router is not registered, in words. */
function missing(specs: Iterable<GraphSpec>): { node: string; what: string } | undefined {
  const names = pureNames();
  const runnables = new Set(names.runnables);
  const routers = new Set(names.routers);
  for (const spec of specs) {
    for (const node of spec.nodes) {
      if (node.pure !== true) continue;
      if (!runnables.has(node.runnable))
        return { node: `${spec.name}.${node.name}`, what: `pure runnable "${node.runnable}"` };
      const edge = spec.conditionalEdges.find((c) => c.from === node.name);
      if (edge !== undefined && !routers.has(edge.router))
        return { node: `${spec.name}.${node.name}`, what: `pure router "${edge.router}"` };
    }
  }
  return undefined;
}

/**
 * Checks that the pure nodes of the worker's graphs can run: with `pureRunnablesPath`, the module
 * is loaded here too and must register each pure node's runnable (and router); with Baton's
 * default workflows and no such module, a graph with a pure node is refused. A custom
 * `workflowsPath` or `workflowBundle` is checked by the interpreter when a run starts.
 */
export function checkPureModule(
  config: PureModuleConfig,
  specs: Iterable<GraphSpec>,
): ResultAsync<void, OrchestrationError> {
  const path = config.pureRunnablesPath;
  const list = [...specs];
  const hasPure = list.some((s) => s.nodes.some((n) => n.pure === true));
  if (path === undefined) {
    const custom = config.workflowsPath !== undefined || config.workflowBundle !== undefined;
    const found = hasPure && !custom ? list.flatMap((s) => s.nodes.filter((n) => n.pure)) : [];
    const node = found[0];
    if (node === undefined) return okAsync(undefined);
    return errAsync(
      invalid(
        `node "${node.name}" is pure (withNodePure) and runs inside the workflow, but no pure runnables are bundled; pass pureRunnablesPath (a module that calls registerPureRunnables)`,
        'pureRunnablesPath',
        undefined,
      ),
    );
  }
  if (typeof path !== 'string' || path.trim() === '')
    return errAsync(
      invalid(
        `pureRunnablesPath must be a module path, got ${showValue(path)}`,
        'pureRunnablesPath',
        path,
      ),
    );
  if (config.workflowBundle !== undefined)
    return errAsync(
      invalid(
        'pureRunnablesPath cannot be added to a prebuilt workflowBundle; bundle the module with it (bundleWorkflowCode({ workflowInterceptorModules: [path] })) and leave pureRunnablesPath out',
        'pureRunnablesPath',
        path,
      ),
    );
  return ResultAsync.fromPromise(import(pathToFileURL(path).href), (cause) =>
    invalid(
      `pureRunnablesPath ${JSON.stringify(path)} could not be loaded (${cause instanceof Error ? cause.message : String(cause)})`,
      'pureRunnablesPath',
      path,
    ),
  ).andThen(() => {
    const gap = missing(list);
    if (gap === undefined) return okAsync(undefined);
    return errAsync(
      invalid(
        `node "${gap.node}" is pure (withNodePure) but ${JSON.stringify(path)} registers no ${gap.what}; register it with registerPureRunnables / registerPureRouters`,
        'pureRunnablesPath',
        path,
      ),
    );
  });
}
