/**
 * The key clean-up: when a connection ends, its key and any handshake reservation are dropped,
 * then the app's own `CLIENT_REMOVED_HANDLER` runs. The helper calls `clientRemovedFn` once for
 * every connection that ends, authenticated or not, so no key outlives its client.
 */
import type { TWebSocketClientRemovedFn } from '../../server/types.js';
import type { ClientKeyStore } from './client-key-store.js';

/** Composes the app's `clientRemovedFn` with the key drop: key first, whatever the app's callback does (synchronous when there is none). */
export const dropKeyOnRemoval = (keys: ClientKeyStore, appRemovedFn?: TWebSocketClientRemovedFn): TWebSocketClientRemovedFn =>
  appRemovedFn
    ? async who => {
        keys.delete(who.clientId);
        await appRemovedFn(who);
      }
    : who => {
        keys.delete(who.clientId);
      };
