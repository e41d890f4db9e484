import { trace, type Context } from '@opentelemetry/api';

/** Structured fields of a log line. */
export type LogFields = Record<string, unknown>;

/** A minimal structured logger, compatible with pino's `(obj, msg)` through `fromPino`. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

function noop(): void {
  // no-op logger
}

/** The default logger: drops everything. */
export const noopLogger: Logger = Object.freeze({
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
});

/** Adds `trace_id` and `span_id` of the span in `ctx` to `fields` (when there is one). */
export function withTraceFields(ctx: Context, fields: LogFields = {}): LogFields {
  const spanContext = trace.getSpanContext(ctx);
  if (!spanContext) return fields;
  return { ...fields, trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/** The subset of pino's API Baton uses. */
export interface PinoLike {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Adapts a pino logger (or anything with pino's `(obj, msg)` signature).
 *
 * @example
 * const logger = fromPino(pino());
 */
export function fromPino(pino: PinoLike): Logger {
  return {
    debug: (message, fields = {}) => pino.debug(fields, message),
    info: (message, fields = {}) => pino.info(fields, message),
    warn: (message, fields = {}) => pino.warn(fields, message),
    error: (message, fields = {}) => pino.error(fields, message),
  };
}
