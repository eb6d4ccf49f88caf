/**
 * What the component does at run time: the post-start hook that builds the helper against the
 * app's own Bun server, and the stop that shuts it down. Kept out of the component file so the
 * component stays a declaration of keys and providers.
 */
import type { BaseApplication } from '@venizia/ignis';
import { getError, type Logger } from '@venizia/ignis-helpers';
import type { IBunServer } from '../server/types.js';
import { WebSocketServerHelper } from '../server/index.js';
import { createBunFetchHandler } from './bun-fetch.js';
import { WebSocketBindingKeys } from './keys.js';
import { dropKeyOnRemoval, type ClientKeyStore } from './encryption/index.js';
import { resolveHelperOptions } from './resolve-options.js';

/** The part of Bun's `Server` the lifecycle uses beyond `IBunServer`. */
type TReloadableServer = IBunServer & { reload(options: { fetch: unknown; websocket: unknown }): void };

type TStoppable = { stop: () => unknown };

export class WebSocketServerLifecycle {
  private helper?: WebSocketServerHelper;
  /** The helper while `stop()` shuts it down (unbound already), so readiness can answer `stopping`. */
  private stopping?: WebSocketServerHelper;
  private stopped = false;

  constructor(
    private readonly app: BaseApplication,
    private readonly keys: ClientKeyStore,
    private readonly logger: Logger,
  ) {}

  /**
   * Post-start hook: Bun is listening with the app's Hono fetch. Build and configure the helper,
   * bind it, then reload Bun so ws-path upgrades reach the helper; binding comes before reload,
   * so no client can connect to a helper services cannot reach yet.
   */
  async start(): Promise<void> {
    if (this.helper) await this.stop();
    this.stopped = false;
    const server = this.app.getServerInstance() as TReloadableServer | undefined;
    if (!server || typeof server.reload !== 'function') {
      throw getError({
        message: '[WebSocketComponent] No Bun server instance: the post-start hook must run after app.start() started Bun.serve.',
      });
    }

    const options = resolveHelperOptions(this.app);
    let helper: WebSocketServerHelper;
    try {
      helper = new WebSocketServerHelper({
        ...options,
        // The key clean-up: a connection's key is dropped first, then the app's callback runs.
        clientRemovedFn: dropKeyOnRemoval(this.keys, options.clientRemovedFn),
        server,
      });
    } catch (error) {
      // resolveServerOptions() refused an option: its message lists each one and what to do.
      throw getError({
        message: `[WebSocketComponent] The WebSocket server could not start (options bound to '${WebSocketBindingKeys.SERVER_OPTIONS}'): ${String((error as Error)?.message ?? error)}`,
      });
    }
    try {
      await helper.configure();
      this.app.bind({ key: WebSocketBindingKeys.WEBSOCKET_INSTANCE }).toValue(helper);
      const hono = this.app.getServer();
      server.reload({
        fetch: createBunFetchHandler({ helper, honoFetch: (req, srv) => hono.fetch(req, srv) }),
        websocket: helper.getBunWebSocketHandler(),
      });
    } catch (error) {
      this.app.unbind({ key: WebSocketBindingKeys.WEBSOCKET_INSTANCE });
      await helper.shutdown().catch(cause => this.logger.error('[start] cleanup after a failed start failed: %s', cause));
      const hint = options.redisConnection
        ? ` Check that the Redis server of '${WebSocketBindingKeys.REDIS_CONNECTION}' is reachable.`
        : '';
      throw getError({
        message: `[WebSocketComponent] The WebSocket server could not start: ${String((error as Error)?.message ?? error).replace(/[.?!]$/, '')}.${hint}`,
      });
    }
    this.helper = helper;
    this.interceptStop();
    // The helper's own start-up line already says where it is served and which broker it uses.
  }

  /** Unbinds and shuts the helper down (clients closed 1001, broker quit) and drops every key. */
  async stop(): Promise<void> {
    const helper = this.helper;
    this.helper = undefined;
    if (!helper) return;
    this.app.unbind({ key: WebSocketBindingKeys.WEBSOCKET_INSTANCE });
    this.stopping = helper;
    try {
      await helper.shutdown();
    } finally {
      this.stopping = undefined;
      this.stopped = true;
      this.keys.clear();
    }
    this.logger.for('stop').info('WebSocket server stopped');
  }

  /** For the operator routes: the running helper (or the one shutting down), else whether it has not started yet or has stopped. */
  serving(): WebSocketServerHelper | 'starting' | 'stopped' {
    return this.helper ?? this.stopping ?? (this.stopped ? 'stopped' : 'starting');
  }

  /**
   * Ignis has no stop hook, so `app.stop()` is wrapped on this instance until it is called once.
   * The app's own stop runs first: Bun stops accepting connections but keeps open sockets, so
   * no client can slip in after the helper closed everyone with 1001. The wrapper returns a
   * promise that settles when the helper is down; awaiting it is optional.
   */
  private interceptStop(): void {
    const app = this.app as unknown as TStoppable;
    const hadOwnStop = Object.prototype.hasOwnProperty.call(app, 'stop');
    const previousStop = app.stop;
    app.stop = async (): Promise<void> => {
      if (hadOwnStop) app.stop = previousStop;
      else delete (app as Partial<TStoppable>).stop;
      try {
        previousStop.call(app);
      } finally {
        await this.stop();
      }
    };
  }
}
