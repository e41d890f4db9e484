/**
 * Turning any value into text for an error message, without ever throwing: `String(value)` throws
 * for objects without a prototype and for Proxies, `JSON.stringify` for cycles and BigInts. An
 * error about a bad value must not fail on that value.
 */

/** Longest value shown in a message; a 100 kB string would bury the message. */
const MAX_SHOWN = 200;

function truncate(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/** `String(value)`, or the value's type when even that throws. */
export function safeString(value: unknown): string {
  try {
    return truncate(String(value));
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return `a value of type ${typeof value}`;
    }
  }
}

/** A value as a message shows it: JSON for data, `NaN`, `a function`, else {@link safeString}. */
export function showValue(value: unknown): string {
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (typeof value === 'function') return 'a function';
  try {
    const json = JSON.stringify(value) as string | undefined;
    return json === undefined ? safeString(value) : truncate(json);
  } catch {
    return safeString(value);
  }
}

/** The message of an Error, else {@link showValue}; never throws (the Error may be a Proxy). */
export function showError(value: unknown): string {
  try {
    if (value instanceof Error) return value.message;
  } catch {
    return safeString(value);
  }
  return typeof value === 'string' ? value : showValue(value);
}
