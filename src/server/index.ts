export * from './helper.js';
export * from './types.js';
export * from './options.js';
export { isReservedRoom } from './room-requests.js';
export { defineEvent, defineServerEvents, type TInferServerEvents, type TSchemaOutput } from './typed-events.js';
export { WebSocketEventError } from './event-error.js';
