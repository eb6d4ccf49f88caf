/**
 * Starts an Ignis app the way every example does: `init()`, `start()`, and if a post-start hook
 * (the WebSocket server) fails after HTTP is already listening, stop the app before rethrowing.
 */
import type { BaseApplication } from '@venizia/ignis';

/** A started example app: its http base URL and a `stop()` that waits for the WebSocket server. */
export interface IStartedApp<A extends BaseApplication> {
  app: A;
  url: string;
  stop(): Promise<void>;
}

export const startApp = async <A extends BaseApplication>(app: A): Promise<IStartedApp<A>> => {
  app.init();
  try {
    await app.start();
  } catch (error) {
    await Promise.resolve(app.stop()).catch(() => {});
    throw error;
  }
  const url = `http://localhost:${app.getServerPort()}`;
  // The component makes app.stop() wait for the WebSocket server to shut down.
  return { app, url, stop: async () => void (await app.stop()) };
};
