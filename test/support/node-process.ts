/**
 * A helper node in its own process, so a test can measure exactly what it writes to its log.
 * `startProcessNode()` runs this very file as a child: it starts a node (see ./server), relays
 * `chat` messages to the default room, prints `PORT <n>` once ready and stops on SIGTERM.
 * `RATE_LIMIT=off` disables the inbound limiter (to measure the log throttle on its own).
 */
import { spawnBun } from './child-process';
import { startNode } from './server';

export interface IProcessNode {
  port: number;
  /** Bytes written to stdout + stderr so far. */
  logged(): number;
  stop(): Promise<void>;
}

export const startProcessNode = async (env: Record<string, string> = {}): Promise<IProcessNode> => {
  const child = spawnBun([import.meta.path], env);
  const port = await child.waitForLine(/^PORT (\d+)/).then(
    match => Number(match[1]),
    async error => {
      await child.stop();
      throw error;
    },
  );
  return {
    port,
    logged: () => child.bytesWritten(),
    async stop() {
      await child.stop();
    },
  };
};

if (import.meta.main) {
  const node = await startNode({
    protection: process.env.RATE_LIMIT === 'off' ? { rateLimit: false } : {},
    messageHandler: ({ message }) => {
      if (message.event === 'chat') node.helper.sendToRoom({ room: 'ws-default', event: 'chat', data: message.data });
    },
  });
  console.log(`PORT ${node.port}`);
  process.on('SIGTERM', async () => {
    await node.stop();
    process.exit(0);
  });
}
