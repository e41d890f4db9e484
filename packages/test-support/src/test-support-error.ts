/** Why a test-support operation failed; compare `code`, never `instanceof`. */
export type TestSupportErrorCode =
  | 'SERVER_UNAVAILABLE'
  | 'TEMPORAL_NOT_FOUND'
  | 'TEMPORAL_START_FAILED'
  | 'REDIS_UNAVAILABLE'
  | 'INVALID_OPTION';

/**
 * The one error type this package throws. Tests are its only callers, so failures throw (and fail
 * the suite) instead of coming back as a `Result`.
 */
export class TestSupportError extends Error {
  override readonly name = 'TestSupportError';
  readonly code: TestSupportErrorCode;

  constructor(code: TestSupportErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
