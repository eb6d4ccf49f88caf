/**
 * A helper node in its own process, so a test can measure exactly what it writes to its log.
 * `startProcessNode()` runs this very file as a child: it starts a node (see ./server), relays
 * `chat` messages to the default room, prints `PORT <n>` once ready and stops on SIGTERM.
 * `RATE_LIMIT=off` disables the inbound limiter (to measure the log throttle on its own);
 * `THROWING_HANDLER=on` makes the message handler throw for every event but `chat`, quoting the
 * event name; `LOG_FORMAT=json` sets the helper's `logFormat`. SIGUSR2 (`loggedSoFar()`) logs
 * `LOG-MARK <n>` through the Ignis logger, after everything logged before it.
 */
import { Logger } from '@venizia/ignis-helpers';
import { answerLogMarks, spawnPortChild } from './child-process';
import { startNode } from './server';

export interface IProcessNode {
  port: number;
  /** Bytes written to stdout + stderr so far. */
  logged(): number;
  /** Bytes logged so far, `LOG-MARK` lines excepted, once every line logged before the call has arrived. */
  loggedSoFar(): Promise<number>;
  /** stdout + stderr so far. */
  output(): string;
  /** Resolves with the first line (already written or still to come) matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

export const startProcessNode = async (env: Record<string, string> = {}): Promise<IProcessNode> => {
  const { port, child, loggedSoFar } = await spawnPortChild(import.meta.path, env);
  return {
    port,
    logged: () => child.bytesWritten(),
    output: () => child.output(),
    waitForLine: (pattern, timeoutMs) => child.waitForLine(pattern, timeoutMs),
    loggedSoFar,
    async stop() {
      await child.stop();
    },
  };
};

if (import.meta.main) {
  const node = await startNode({
    protection: process.env.RATE_LIMIT === 'off' ? { rateLimit: false } : {},
    logFormat: process.env.LOG_FORMAT === 'json' ? 'json' : 'text',
    messageHandler: ({ message }) => {
      if (message.event === 'chat') node.helper.sendToRoom({ room: 'ws-default', event: 'chat', data: message.data });
      else if (process.env.THROWING_HANDLER === 'on') throw new Error(`no handler for '${message.event}'`);
    },
  });
  const logger = Logger.get('process-node');
  answerLogMarks(line => logger.info(line));
  console.log(`PORT ${node.port}`);
  process.on('SIGTERM', async () => {
    await node.stop();
    process.exit(0);
  });
}
