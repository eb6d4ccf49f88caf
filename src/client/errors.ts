/**
 * The one error class the client rejects with, so callers can branch on `code` / `closeCode`
 * and show `issues` / `details` instead of parsing messages.
 */
import type { AnyObject } from '../protocol/types.js';
import type { IWebSocketClientIssue, IWebSocketServerErrorExtras } from './types.js';

/** Error of a failed `connect()`, `request()`, `join()` or `leave()`. */
export class WebSocketClientError extends Error {
  /** Server error code (e.g. `AUTH_FAILED`, `VALIDATION_FAILED`, an app code from `ctx.fail`) or one of `WebSocketClientErrorCodes`. */
  readonly code: string;
  /** Close code of the connection that ended, when the failure was a close. */
  readonly closeCode?: number;
  /** `VALIDATION_FAILED`: what the event's schema found wrong, field by field. */
  readonly issues?: IWebSocketClientIssue[];
  /** An app error's details (`ctx.fail(code, message, details)`). */
  readonly details?: AnyObject;

  constructor(opts: { message: string; code: string; closeCode?: number; cause?: unknown } & IWebSocketServerErrorExtras) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'WebSocketClientError';
    this.code = opts.code;
    this.closeCode = opts.closeCode;
    if (opts.issues !== undefined) this.issues = opts.issues;
    if (opts.details !== undefined) this.details = opts.details;
  }
}
