export * from './emitter.js';
export * from './types.js';
