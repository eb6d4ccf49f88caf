import type { AnyObject } from '../protocol/index.js';

/**
 * An expected refusal from an event handler: thrown (or raised with `ctx.fail`), it reaches the
 * client as `error` `{ code, message, details?, id }` and is not logged as a server fault.
 * Anything else a handler throws is a bug: `HANDLER_ERROR`, logged with its stack.
 *
 * @example
 * if (!member) throw new WebSocketEventError('NOT_IN_ROOM', 'Join the room first');
 */
export class WebSocketEventError extends Error {
  constructor(
    /** App-defined code the client can switch on, e.g. `NOT_IN_ROOM`. */
    readonly code: string,
    message: string,
    /** Extra JSON data sent with the error. */
    readonly details?: AnyObject,
  ) {
    super(message);
    this.name = 'WebSocketEventError';
  }
}
