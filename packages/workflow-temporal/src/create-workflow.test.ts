import { createRegistry, type WorkflowProvider } from '@baton/core';
import { err, ok } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { createWorkflow, createWorkflowWithRegistry } from './create-workflow.js';
import { withWorkflowProvider, withWorkflowRetries } from './temporal-workflow-options.js';
import { temporalWorkflowProvider } from './temporal-workflow-provider.js';
import { defaultWorkflowRegistry, registerWorkflowProvider } from './workflow-registry.js';

describe('workflow registry', () => {
  it('holds the temporal provider by default; createWorkflow uses it', () => {
    expect(defaultWorkflowRegistry().list()).toContain('temporal');
    const wf = createWorkflow('orders', withWorkflowRetries(1))._unsafeUnwrap();
    expect(wf.name).toBe('orders');
  });

  it('an unknown provider fails with not_found listing the registered ones', () => {
    const error = createWorkflow('orders', withWorkflowProvider('nope'))._unsafeUnwrapErr();
    expect(error.code).toBe('not_found');
    expect(error.message).toContain('withWorkflowProvider');
    expect(error.message).toContain('temporal');
  });

  it('registerWorkflowProvider adds a provider picked with withWorkflowProvider', () => {
    const seen: unknown[] = [];
    const recording: WorkflowProvider = {
      createWorkflow(definition, config) {
        seen.push(definition, config.retries);
        return err(new Error('not built') as never);
      },
    };
    expect(registerWorkflowProvider('recording-test', recording)).toEqual(ok(undefined));
    expect(registerWorkflowProvider('recording-test', recording).isErr()).toBe(true);
    createWorkflow('orders', withWorkflowProvider('recording-test'), withWorkflowRetries(3));
    expect(seen).toEqual(['orders', 3]);
    defaultWorkflowRegistry().unregister('recording-test');
  });

  it('createWorkflowWithRegistry uses the given registry and rejects a non-registry', () => {
    const own = createRegistry<WorkflowProvider>('workflow provider', [
      ['temporal', temporalWorkflowProvider],
    ]);
    expect(createWorkflowWithRegistry(own, 'orders').isOk()).toBe(true);
    const error = createWorkflowWithRegistry({} as never, 'orders')._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_config');
  });

  it('the provider validates a hand-built config like options', () => {
    const error = temporalWorkflowProvider
      .createWorkflow('orders', {
        name: 'orders',
        description: '',
        timeoutMs: -5,
        retries: 0,
        taskQueue: 'q',
        metadata: {},
        provider: 'temporal',
      })
      ._unsafeUnwrapErr();
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('withWorkflowTimeout');
  });
});
