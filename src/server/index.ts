export * from './helper';
export { isReservedRoom } from './room-requests';
export { MAX_ROOMS_PER_REQUEST, MAX_ROOM_NAME_LENGTH } from './envelope';
export { defineEvent, defineServerEvents, type TInferServerEvents, type TSchemaOutput } from './typed-events';
export { WebSocketEventError } from './event-error';
