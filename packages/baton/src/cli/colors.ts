import pc from 'picocolors';

/** picocolors' formatters; `colors(false)` makes every one the identity (plain output). */
export type Colors = ReturnType<typeof pc.createColors>;

/** Formatters that colour only when `enabled` (a TTY without `NO_COLOR`). */
export function colors(enabled: boolean): Colors {
  return pc.createColors(enabled && pc.isColorSupported);
}
