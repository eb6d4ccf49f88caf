/**
 * The browser page, served by the app's own Hono router next to the WebSocket path:
 * `/` is the HTML, `/app.js` is public/app.ts (and the client library it imports) bundled for
 * the browser by `Bun.build` on first request, `/api/info` tells the page which instance it hit.
 * Nothing is built ahead of time and nothing is written to disk.
 */
import type { BaseApplication } from '@venizia/ignis';

const PUBLIC_DIR = `${import.meta.dir}/public`;

let bundle: Promise<string> | undefined;

/** Bundles public/app.ts once per process; a failed build is retried on the next request. */
const buildPageScript = (): Promise<string> => {
  bundle ??= (async () => {
    const result = await Bun.build({ entrypoints: [`${PUBLIC_DIR}/app.ts`], target: 'browser', format: 'esm', minify: false });
    if (!result.success) {
      bundle = undefined;
      throw new Error(`building the page script failed:\n${result.logs.map(log => String(log)).join('\n')}`);
    }
    return result.outputs[0]!.text();
  })();
  return bundle;
};

export const registerChatPage = (app: BaseApplication, info: { instance: string; redis: boolean }): void => {
  const router = app.getRootRouter();
  router.get('/', async c => c.html(await Bun.file(`${PUBLIC_DIR}/index.html`).text()));
  router.get('/app.js', async c => {
    try {
      return c.body(await buildPageScript(), 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
    } catch (error) {
      return c.text((error as Error).message, 500);
    }
  });
  router.get('/api/info', c => c.json(info));
};
