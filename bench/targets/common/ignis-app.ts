/**
 * The smallest real Ignis application: a `BaseApplication` on 127.0.0.1 whose only own route
 * is the bench routes. The WebSocket component is added by the target script.
 */
import { BaseApplication, type IApplicationInfo } from '@venizia/ignis';
import { handleBenchRequest, type IBenchOps } from './routes';

/** An Ignis app serving the bench routes from `ops`. */
export class BenchApplication extends BaseApplication {
  private readonly ops: IBenchOps;

  /** Creates the app on `127.0.0.1:port`; call `init()`, bind, add the component, then `start()`. */
  constructor(opts: { port: number; ops: IBenchOps }) {
    super({
      scope: BenchApplication.name,
      config: { host: '127.0.0.1', port: opts.port, path: { base: '/', isStrict: false } },
    });
    this.ops = opts.ops;
  }

  override getAppInfo(): IApplicationInfo {
    return { name: 'ignis-websocket-bench', version: '0.0.0', description: 'benchmark target' };
  }

  override staticConfigure(): void {}

  override setupMiddlewares(): void {}

  override preConfigure(): void {
    this.getRootRouter().all('/bench/*', async context => {
      const response = await handleBenchRequest(context.req.raw, this.ops);
      return response ?? context.notFound();
    });
  }

  override postConfigure(): void {}
}
