/**
 * ignis-websocket: WebSocket server helper, emitter and Ignis component for apps on Bun.
 * Docs: wiki/README.md
 */
export * from './protocol';
export * from './broker';
export * from './server';
export * from './emitter';
export * from './component';
