/**
 * End-to-end encrypted WebSockets with nothing but shipped parts:
 * - `requireEncryption: true`: every client must complete the ECDH handshake during auth (else 4004);
 * - the component's default providers: `JwtAuthenticateProvider` (verifies the app's own Ignis JWTs),
 *   `EcdhHandshakeProvider` and `AesGcmOutboundTransformerProvider` — no binding needed for them.
 *
 *   bun examples/encrypted/server.ts          # listens on PORT (default 3001)
 *   bun examples/encrypted/client.ts          # runs its own server when WS_URL is not set
 */
import {
  Authentication,
  AuthenticateBindingKeys,
  AuthenticateComponent,
  AuthenticationStrategyRegistry,
  BaseApplication,
  BaseProvider,
  BindingKeys,
  BindingNamespaces,
  CoreBindings,
  JOSEStandards,
  JWSAuthenticationStrategy,
  JWSTokenService,
  inject,
  type IApplicationInfo,
} from '@venizia/ignis';
import {
  LazyWebSocketHelper,
  WebSocketBindingKeys,
  WebSocketComponent,
  defineEvent,
  type IWebSocketEventDefinition,
  type TWebSocketClientConnectedFn,
} from 'ignis-websocket';
import { z } from 'zod';
import { concretePort } from '../shared/free-port';
import { startApp } from '../shared/start-app';

/** Demo secret; a real app reads it from its configuration. */
const JWT_SECRET = process.env.JWT_SECRET ?? 'encrypted-example-secret-change-me-0123456789';

/** Typed inbound event: the reply travels encrypted like everything after `connected`. */
export const echoEvent = defineEvent({
  event: 'echo',
  schema: z.object({ text: z.string().min(1).max(1000) }),
  replySchema: z.object({ text: z.string(), at: z.string() }),
  handler: ({ text }) => ({ text: text.toUpperCase(), at: new Date().toISOString() }),
});

export class EchoEventsProvider extends BaseProvider<IWebSocketEventDefinition<any, any>[]> {
  constructor() {
    super({ scope: EchoEventsProvider.name });
  }

  value(): IWebSocketEventDefinition<any, any>[] {
    return [echoEvent];
  }
}

/** Greets every client once connected; the greeting goes through the AES-GCM transformer. */
export class WelcomeProvider extends BaseProvider<TWebSocketClientConnectedFn> {
  private readonly ws: LazyWebSocketHelper;

  constructor(@inject({ key: CoreBindings.APPLICATION_INSTANCE }) application: BaseApplication) {
    super({ scope: WelcomeProvider.name });
    this.ws = new LazyWebSocketHelper(application);
  }

  value(): TWebSocketClientConnectedFn {
    return ({ clientId, userId }) =>
      this.ws.get().sendToClient({ clientId, event: 'welcome', data: { text: `hello ${userId}, only you can read this` } });
  }
}

export class EncryptedApp extends BaseApplication {
  constructor(opts: { host: string; port: number }) {
    super({ scope: EncryptedApp.name, config: { host: opts.host, port: opts.port, path: { base: '/', isStrict: false } } });
  }

  override getAppInfo(): IApplicationInfo {
    return { name: 'ignis-websocket-encrypted', version: '0.1.0', description: 'Encrypted example of ignis-websocket' };
  }

  override staticConfigure(): void {}

  override setupMiddlewares(): void {}

  override preConfigure(): void {
    // The app's ordinary Ignis JWT setup; the WebSocket component's default auth provider uses it.
    this.bind({ key: AuthenticateBindingKeys.JWT_OPTIONS }).toValue({
      standard: JOSEStandards.JWS,
      options: { jwtSecret: JWT_SECRET, getTokenExpiresFn: () => 3600 },
    });
    this.component(AuthenticateComponent);
    AuthenticationStrategyRegistry.getInstance().register({
      container: this,
      strategies: [{ strategy: JWSAuthenticationStrategy, name: Authentication.STRATEGY_JWT }],
    });

    // DEMO ONLY: hands a token to whoever asks. A real app issues tokens from its sign-in route.
    this.getRootRouter().post('/demo-token', async c => {
      const { userId } = await c.req.json<{ userId?: string }>();
      if (typeof userId !== 'string' || !/^[\w-]{1,32}$/.test(userId)) return c.json({ error: 'userId: 1-32 of a-z, 0-9, _ or -' }, 400);
      const tokens = this.get<JWSTokenService>({ key: BindingKeys.build({ namespace: BindingNamespaces.SERVICE, key: JWSTokenService.name }) });
      return c.json({ token: await tokens.generate({ payload: { userId, roles: [] } }) });
    });

    this.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue({ identifier: 'encrypted', requireEncryption: true });
    this.bind({ key: WebSocketBindingKeys.EVENTS }).toProvider(EchoEventsProvider);
    this.bind({ key: WebSocketBindingKeys.CLIENT_CONNECTED_HANDLER }).toProvider(WelcomeProvider);
    // AUTHENTICATE_HANDLER, HANDSHAKE_HANDLER, OUTBOUND_TRANSFORMER and INBOUND_TRANSFORMER keep the shipped defaults.
    this.component(WebSocketComponent);
  }

  override postConfigure(): void {}
}

/** Starts the server (port 0: any free port); `url` is its http base, `stop()` closes every socket and the server. */
export const startEncryptedServer = (opts: { host?: string; port: number }) =>
  startApp(new EncryptedApp({ host: opts.host ?? '127.0.0.1', port: concretePort(opts.port) }));

if (import.meta.main) {
  const server = await startEncryptedServer({ host: process.env.HOST, port: Number(process.env.PORT || 3001) }).catch((error: Error) => {
    console.error(`Encrypted example could not start: ${error.message}`);
    process.exit(1);
  });
  console.log(`Encrypted example running at ${server.url} (WebSocket: ${server.url.replace('http', 'ws')}/ws)`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
