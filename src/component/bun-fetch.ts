/**
 * The Bun `fetch` the component installs with `server.reload()`: WebSocket upgrades on the
 * helper's path go to the helper, every other request (other paths, plain HTTP on the ws path,
 * upgrades elsewhere) goes to the app's Hono fetch unchanged, with all of the app's middlewares.
 */
import type { IBunServer } from '../server/types.js';

/** The two things the router needs from the helper. */
export interface IUpgradeTarget {
  isUpgradeRequest(req: Request): boolean;
  upgrade(req: Request, server: IBunServer): Response | undefined;
}

/** Hono's fetch as Bun calls it; the Bun server is passed on as Hono's `env`. */
export type THonoFetch = (req: Request, server: any) => Response | Promise<Response>;

export const createBunFetchHandler = (opts: { helper: IUpgradeTarget; honoFetch: THonoFetch }) => {
  const { helper, honoFetch } = opts;
  return (req: Request, server: IBunServer): Response | Promise<Response> | undefined =>
    helper.isUpgradeRequest(req) ? helper.upgrade(req, server) : honoFetch(req, server);
};
