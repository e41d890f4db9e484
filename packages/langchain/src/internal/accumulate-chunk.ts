interface Concatenable {
  concat(other: unknown): unknown;
}

function isConcatenable(value: unknown): value is Concatenable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { concat?: unknown }).concat === 'function'
  );
}

/**
 * Folds one streamed chunk into the output so far: strings join, arrays and message chunks
 * (`AIMessageChunk`, `ChatGenerationChunk`, anything with `concat`) concatenate; anything else
 * (a JSON parser's cumulative partial objects, numbers) is replaced by the newer value.
 */
export function accumulateChunk(previous: unknown, chunk: unknown): unknown {
  if (typeof previous === 'string' && typeof chunk === 'string') return previous + chunk;
  if (Array.isArray(previous) && Array.isArray(chunk))
    return [...(previous as unknown[]), ...(chunk as unknown[])];
  if (isConcatenable(previous) && !Array.isArray(previous)) {
    try {
      return previous.concat(chunk);
    } catch {
      return chunk;
    }
  }
  return chunk;
}
