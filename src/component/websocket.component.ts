/**
 * `app.component(WebSocketComponent)`: WebSockets for an Ignis app on Bun, served by the app's
 * own Bun server next to its Hono routes. Docs: wiki/component.md
 *
 * @example
 * class App extends BaseApplication {
 *   preConfigure() {
 *     this.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue({ path: '/ws' });
 *     this.bind({ key: WebSocketBindingKeys.VALIDATE_ROOM_HANDLER }).toProvider(ChatRoomsProvider);
 *     this.component(WebSocketComponent);
 *   }
 * }
 */
import { BaseApplication, BaseComponent, Binding, CoreBindings, inject, type IProvider } from '@venizia/ignis';
import type { TClass } from '@venizia/ignis-helpers';
import { AesGcmInboundTransformerProvider, AesGcmOutboundTransformerProvider, ClientKeyStore, EcdhHandshakeProvider } from './encryption/index.js';
import { WebSocketBindingKeys, type TWebSocketBindingValue, type TWebSocketCallbackKey } from './keys.js';
import { DenyAllRoomsProvider } from './providers/deny-all-rooms.provider.js';
import { JwtAuthenticateProvider } from './providers/jwt-authenticate.provider.js';
import { UnsetProvider } from './providers/unset.provider.js';
import { assertBunRuntime } from './runtime.js';
import { mountOperationsRoutes } from './operations-routes.js';
import { WebSocketServerLifecycle } from './server-lifecycle.js';
import { WEBSOCKET_COMPONENT_DEFAULTS } from './types.js';

/** The keys the component serves with a provider class unless the app bound them. */
type TProvidedKey = TWebSocketCallbackKey | typeof WebSocketBindingKeys.EVENTS;

/** Which provider class serves which key, unless the app bound the key itself. */
export const WEBSOCKET_DEFAULT_PROVIDERS: Readonly<{ [K in TProvidedKey]: TClass<IProvider<TWebSocketBindingValue<K> | undefined>> }> =
  Object.freeze({
    [WebSocketBindingKeys.AUTHENTICATE_HANDLER]: JwtAuthenticateProvider,
    [WebSocketBindingKeys.VALIDATE_ROOM_HANDLER]: DenyAllRoomsProvider,
    [WebSocketBindingKeys.HANDSHAKE_HANDLER]: EcdhHandshakeProvider,
    [WebSocketBindingKeys.OUTBOUND_TRANSFORMER]: AesGcmOutboundTransformerProvider,
    [WebSocketBindingKeys.INBOUND_TRANSFORMER]: AesGcmInboundTransformerProvider,
    [WebSocketBindingKeys.CLIENT_CONNECTED_HANDLER]: UnsetProvider,
    [WebSocketBindingKeys.CLIENT_DISCONNECTED_HANDLER]: UnsetProvider,
    [WebSocketBindingKeys.MESSAGE_HANDLER]: UnsetProvider,
    [WebSocketBindingKeys.CLIENT_REMOVED_HANDLER]: UnsetProvider,
    [WebSocketBindingKeys.USER_PRESENCE_HANDLER]: UnsetProvider,
    [WebSocketBindingKeys.HISTORY_POLICY]: UnsetProvider,
    [WebSocketBindingKeys.EVENTS]: UnsetProvider,
  });

const defaultBindings = (keys: ClientKeyStore): Record<string, Binding> => {
  const bindings: Record<string, Binding> = {
    // The documented defaults, for apps that read the key; the helper resolves whatever is bound.
    [WebSocketBindingKeys.SERVER_OPTIONS]: Binding.bind<TWebSocketBindingValue<typeof WebSocketBindingKeys.SERVER_OPTIONS>>({
      key: WebSocketBindingKeys.SERVER_OPTIONS,
    }).toValue({ ...WEBSOCKET_COMPONENT_DEFAULTS }),
    [WebSocketBindingKeys.ENCRYPTION_KEYS]: Binding.bind<TWebSocketBindingValue<typeof WebSocketBindingKeys.ENCRYPTION_KEYS>>({
      key: WebSocketBindingKeys.ENCRYPTION_KEYS,
    }).toValue(keys),
  };
  for (const [key, provider] of Object.entries(WEBSOCKET_DEFAULT_PROVIDERS)) {
    bindings[key] = Binding.bind({ key }).toProvider(provider);
  }
  return bindings;
};

export class WebSocketComponent extends BaseComponent {
  private readonly lifecycle: WebSocketServerLifecycle;

  constructor(@inject({ key: CoreBindings.APPLICATION_INSTANCE }) private readonly application: BaseApplication) {
    const keys = new ClientKeyStore();
    // Keys the app bound already are skipped by initDefaultBindings, so the app's binding wins.
    super({ scope: WebSocketComponent.name, initDefault: { enable: true, container: application }, bindings: defaultBindings(keys) });
    this.lifecycle = new WebSocketServerLifecycle(application, keys, this.logger);
  }

  binding(): void {
    assertBunRuntime();
    this.application.registerPostStartHook({ identifier: WebSocketComponent.name, hook: () => this.lifecycle.start() });
    mountOperationsRoutes(this.application, this.lifecycle);
  }
}
