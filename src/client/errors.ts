/**
 * The one error class the client rejects with, so callers can branch on `code` / `closeCode`
 * instead of parsing messages.
 */

/** Error of a failed `connect()`, `join()` or `leave()`. */
export class WebSocketClientError extends Error {
  /** Server error code (e.g. `AUTH_FAILED`) or one of `WebSocketClientErrorCodes`. */
  readonly code: string;
  /** Close code of the connection that ended, when the failure was a close. */
  readonly closeCode?: number;

  constructor(opts: { message: string; code: string; closeCode?: number; cause?: unknown }) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'WebSocketClientError';
    this.code = opts.code;
    this.closeCode = opts.closeCode;
  }
}
