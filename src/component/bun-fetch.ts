/**
 * The Bun `fetch` the component installs with `server.reload()`: WebSocket upgrades on the
 * helper's path go to the helper, every other request (other paths, plain HTTP on the ws path,
 * upgrades elsewhere) goes to the app's Hono fetch unchanged, with all of the app's middlewares.
 */
import type { IBunServer } from '../server/types.js';

/** The two things the router needs from the helper. */
export interface IUpgradeTarget {
  isOnPath(req: Request): boolean;
  upgradeOnPath(req: Request, server: IBunServer): Response | undefined | null;
}

/** Hono's fetch as Bun calls it; the Bun server is passed on as Hono's `env`. */
export type THonoFetch = (req: Request, server: any) => Response | Promise<Response>;

export const createBunFetchHandler = (opts: { helper: IUpgradeTarget; honoFetch: THonoFetch }) => {
  const { helper, honoFetch } = opts;
  return (req: Request, server: IBunServer): Response | Promise<Response> | undefined => {
    if (!helper.isOnPath(req)) return honoFetch(req, server);
    // Bun tells an upgrade from a plain request itself; a plain one on the path is the app's.
    const answer = helper.upgradeOnPath(req, server);
    return answer === null ? honoFetch(req, server) : answer;
  };
};
