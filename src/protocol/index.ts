/** Browser-safe wire words shared by the server, the client and the emitter. Docs: wiki/protocol.md */
export * from './constants.js';
export * from './types.js';
export * from './crypto.js';
