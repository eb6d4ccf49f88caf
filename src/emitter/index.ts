export * from './emitter';
export * from './types';
