/**
 * A node with presence on (every room, events on, the default lease) in a child process, so a
 * test can kill it with SIGKILL: nothing of it runs afterwards, no clean-up, no leave, no
 * offline. Run by `startPresenceNode()`; prints `PORT <n>` once ready and `USER-PRESENCE <json>`
 * for every `userPresenceFn` call.
 */
import { spawnBun, type IChildProcess } from '../support/child-process';
import { redisHelperAt } from '../support/redis';
import { startNode } from '../support/server';

export interface IPresenceProcessNode {
  port: number;
  url: string;
  child: IChildProcess;
}

/** Starts the node against the redis-server on `redisPort`; stop it with `child.stop()` or kill `child.pid`. */
export const startPresenceNode = async (redisPort: number): Promise<IPresenceProcessNode> => {
  const child = spawnBun([import.meta.path], { PRESENCE_REDIS_PORT: String(redisPort) });
  try {
    const port = Number((await child.waitForLine(/^PORT (\d+)/))[1]);
    return { port, url: `ws://127.0.0.1:${port}/ws`, child };
  } catch (error) {
    await child.stop();
    throw error;
  }
};

if (import.meta.main) {
  const node = await startNode({
    redisConnection: redisHelperAt(Number(process.env.PRESENCE_REDIS_PORT)),
    presence: { rooms: true, events: true },
    userPresenceFn: event => console.log(`USER-PRESENCE ${JSON.stringify(event)}`),
  });
  console.log(`PORT ${node.port}`);
  process.on('SIGTERM', async () => {
    await node.stop();
    process.exit(0);
  });
}
