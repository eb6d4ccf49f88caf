import { getError } from '@venizia/ignis-helpers';

/** True when this process runs on Bun (the component needs `Bun.serve` and its WebSocket API). */
export const isBunRuntime = (global: { Bun?: unknown } = globalThis as { Bun?: unknown }): boolean =>
  typeof global.Bun !== 'undefined';

/** Throws a start-up error naming Bun when the app runs on Node.js (or any other runtime). */
export const assertBunRuntime = (global?: { Bun?: unknown }): void => {
  if (isBunRuntime(global)) return;
  const node = typeof process !== 'undefined' ? process.versions?.node : undefined;
  throw getError({
    message:
      `[WebSocketComponent] WebSocketComponent runs on the Bun runtime only (it serves WebSockets through Bun.serve); ` +
      `this process is ${node ? `Node.js ${node}` : 'not Bun'}. Start the app with 'bun run <entry>'.`,
  });
};
