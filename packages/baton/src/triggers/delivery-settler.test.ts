import { OrchestrationError } from '@baton/core';
import { ok } from 'neverthrow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeliverySettler } from './delivery-settler.js';
import type { TriggerDelivery } from './trigger-source.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('DeliverySettler dead-letter callback', () => {
  it('a callback that keeps throwing hands the event back after an exponential backoff', async () => {
    vi.useFakeTimers();
    const released: number[] = [];
    const delivery: TriggerDelivery = {
      event: { id: 'e1', payload: 1, deliveries: 1 },
      ack: () => Promise.resolve(ok(undefined)),
      release: () => {
        released.push(Date.now());
        return Promise.resolve(ok(undefined));
      },
      deadLetter: () => Promise.resolve(ok(undefined)),
    };
    const settler = new DeliverySettler(
      't',
      'src',
      () => {
        throw new Error('dead-letter sink down');
      },
      () => undefined,
    );
    const failure = new OrchestrationError('execution_failed', 'boom');
    const waits: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const start = Date.now();
      const done = settler.deadLetter(delivery, failure, 'run');
      await vi.runAllTimersAsync();
      await done;
      waits.push((released[i] ?? Number.NaN) - start);
    }
    expect(waits).toEqual([100, 200, 400, 800]);
  });
});
