/**
 * ignis-websocket: WebSocket server helper, emitter and Ignis component for apps on Bun.
 * Docs: wiki/README.md
 */
export * from './protocol/index.js';
export * from './broker/index.js';
export * from './server/index.js';
export * from './emitter/index.js';
export * from './component/index.js';
