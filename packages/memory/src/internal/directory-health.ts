import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type HealthReport } from '@baton/core';
import { healthReport } from '@baton/core/authoring';

/**
 * Healthy when `directory` (or, before its first write, the nearest existing parent that would
 * hold it) is a writable directory. Reads only; never rejects.
 */
export async function directoryHealth(component: string, directory: string): Promise<HealthReport> {
  let current = directory;
  for (;;) {
    try {
      const info = await stat(current);
      if (!info.isDirectory()) {
        return healthReport(component, 'unhealthy', {
          directory,
          error: `${current} is not a directory`,
        });
      }
      await access(current, constants.W_OK);
      return healthReport(component, 'healthy', { directory, exists: current === directory });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const parent = dirname(current);
      if (code === 'ENOENT' && parent !== current) {
        current = parent;
        continue;
      }
      const reason = error instanceof Error ? error.message : String(error);
      return healthReport(component, 'unhealthy', { directory, error: reason });
    }
  }
}
