/**
 * Chat demo: `npm start` (or `bun examples/chat/index.ts`).
 *
 *   PORT       port to listen on (default 3000; 0 for any free port)
 *   HOST       address to bind (default 127.0.0.1; use 0.0.0.0 to reach it from other machines)
 *   REDIS_URL  redis://host:port — share rooms with every other instance on the same Redis
 *   INSTANCE   name shown in the page (default chat@<port>)
 */
import { concretePort } from '../shared/free-port';
import { startApp, type IStartedApp } from '../shared/start-app';
import { ChatApp, type IChatAppOptions } from './app';

/** The running chat: its app, http base URL and `stop()`. */
export type IRunningChat = IStartedApp<ChatApp>;

/** Builds and starts the chat (port 0: any free port); `stop()` closes every socket (1001) and the Redis connections. */
export const startChat = (options: IChatAppOptions): Promise<IRunningChat> =>
  startApp(new ChatApp({ ...options, port: concretePort(options.port) }));

if (import.meta.main) {
  const port = Number(process.env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a port number (0 for any free port), got '${process.env.PORT}'`);
    process.exit(2);
  }
  let chat: IRunningChat;
  try {
    chat = await startChat({
      host: process.env.HOST ?? '127.0.0.1',
      port,
      redisUrl: process.env.REDIS_URL || undefined,
      instance: process.env.INSTANCE || undefined,
    });
  } catch (error) {
    // Exit instead of leaving a half-started process (Ignis's logger keeps the process alive on uncaught errors).
    console.error(`Chat could not start: ${(error as Error).message}`);
    process.exit(1);
  }
  console.log(`Chat running at ${chat.url}${process.env.REDIS_URL ? ` (sharing rooms through ${process.env.REDIS_URL})` : ''}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the chat`);
    await chat.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
