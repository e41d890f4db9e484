/**
 * `fn()`, rejected with `new Error(message)` after `ms`; the timer is cleared either way.
 * Promise.race keeps a handler on fn's promise, so its late rejection is never unhandled.
 */
export async function bounded<T>(fn: () => Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([fn(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
