export * from './helper';
export * from './types';
export * from './options';
export { isReservedRoom } from './room-requests';
export { defineEvent, defineServerEvents, type TInferServerEvents, type TSchemaOutput } from './typed-events';
export { WebSocketEventError } from './event-error';
