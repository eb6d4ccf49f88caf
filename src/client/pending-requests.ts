/**
 * Requests waiting for a server answer that carries their `id` (`join` -> `joined`,
 * `leave` -> `left`, or an `error` with the same id). Each has a timeout, and all of them fail
 * together when the connection ends, so no promise is left hanging.
 */
import { WebSocketClientErrorCodes } from './constants.js';
import { WebSocketClientError } from './errors.js';

interface IPending {
  resolve: (value: any) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Id-keyed promises with timeouts. */
export class PendingRequests {
  private readonly pending = new Map<string, IPending>();
  private sequence = 0;

  /** A fresh request id, unique for this client. */
  nextId(): string {
    this.sequence += 1;
    return `req-${this.sequence}`;
  }

  /** Promise settled by `resolve(id)` / `reject(id)`, or rejected after `timeoutMs`. */
  wait<T>(opts: { id: string; timeoutMs: number; label: string }): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(opts.id);
        reject(
          new WebSocketClientError({
            message: `No answer to ${opts.label} within ${opts.timeoutMs} ms`,
            code: WebSocketClientErrorCodes.REQUEST_TIMEOUT,
          }),
        );
      }, opts.timeoutMs);
      this.pending.set(opts.id, { resolve, reject, timer });
    });
  }

  /** Settles request `id` with `value`; false if no such request is waiting. */
  resolve(id: string, value: unknown): boolean {
    const entry = this.take(id);
    entry?.resolve(value);
    return entry !== undefined;
  }

  /** Fails request `id`; false if no such request is waiting. */
  reject(id: string, error: Error): boolean {
    const entry = this.take(id);
    entry?.reject(error);
    return entry !== undefined;
  }

  /** Fails every waiting request with the same error. */
  rejectAll(error: Error): void {
    for (const id of [...this.pending.keys()]) this.reject(id, error);
  }

  private take(id: string): IPending | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.pending.delete(id);
    return entry;
  }
}
