export * from './helper';
export { isReservedRoom, MAX_ROOMS_PER_REQUEST, MAX_ROOM_NAME_LENGTH } from './room-requests';
