import { getError } from '@venizia/ignis-helpers';

/** True when this process runs on Bun (the server needs `Bun.serve` and its WebSocket API). */
export const isBunRuntime = (global: { Bun?: unknown } = globalThis as { Bun?: unknown }): boolean =>
  typeof global.Bun !== 'undefined';

/** The one runtime check of the package: throws a start-up error naming Bun on Node.js or any other runtime. */
export const assertBunRuntime = (global?: { Bun?: unknown }): void => {
  if (isBunRuntime(global)) return;
  const node = typeof process !== 'undefined' ? process.versions?.node : undefined;
  throw getError({
    message:
      `[ignis-websocket] WebSocketServerHelper and WebSocketComponent run on the Bun runtime only (they serve WebSockets through Bun.serve); ` +
      `this process is ${node ? `Node.js ${node}` : 'not Bun'}. Start the app with 'bun run <entry>'.`,
  });
};
