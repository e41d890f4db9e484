import { describe, expect, it } from 'vitest';
import { aggregateHealth, healthReport, worstStatus, type HealthChecker } from './health.js';

const fixed = (status: 'healthy' | 'degraded' | 'unhealthy'): HealthChecker => ({
  check: () => Promise.resolve(healthReport(status, status)),
});

describe('health', () => {
  it('takes the worst status of the parts', async () => {
    expect(worstStatus([])).toBe('healthy');
    expect((await aggregateHealth('o', [fixed('healthy'), fixed('degraded')])).status).toBe(
      'degraded',
    );
    const report = await aggregateHealth('o', [fixed('healthy'), fixed('unhealthy')]);
    expect(report.status).toBe('unhealthy');
    expect(report.checks.map((c) => c.component)).toEqual(['healthy', 'unhealthy']);
  });

  it('caps a partial failure at degraded under the degraded policy', async () => {
    const partial = await aggregateHealth('o', [fixed('healthy'), fixed('unhealthy')], {
      policy: 'degraded',
    });
    expect(partial.status).toBe('degraded');
    const total = await aggregateHealth('o', [fixed('unhealthy')], { policy: 'degraded' });
    expect(total.status).toBe('unhealthy');
  });

  it('reports a throwing or hanging check as unhealthy instead of failing or waiting', async () => {
    const throwing: HealthChecker = { check: () => Promise.reject(new Error('ECONNREFUSED')) };
    const hanging: HealthChecker = { check: () => new Promise(() => undefined) };
    const report = await aggregateHealth('o', [throwing, hanging], { timeoutMs: 20 });
    expect(report.status).toBe('unhealthy');
    expect(report.checks[0]?.details).toEqual({ error: 'ECONNREFUSED' });
    expect(report.checks[1]?.details.error).toContain('no answer within 20 ms');
  });
});
