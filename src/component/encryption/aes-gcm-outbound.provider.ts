import { BaseProvider, inject } from '@venizia/ignis';
import { getError } from '@venizia/ignis-helpers';
import { WebSocketEvents } from '../../protocol/index.js';
import type { TWebSocketOutboundTransformer } from '../../server/types.js';
import { WebSocketBindingKeys } from '../keys.js';
import type { ClientKeyStore } from './client-key-store.js';

/**
 * Default `OUTBOUND_TRANSFORMER`: for an encrypted client, seals the JSON of `{ event, data, id? }`
 * with its `AesGcmSession` (AES-256-GCM, fresh 12-byte IV, the next server → client counter
 * authenticated with it) into `{ event: 'encrypted', data: { iv, ciphertext, seq } }`.
 * Unencrypted clients pass through. The helper runs one transformer call at a time per client,
 * in send order, and the counter is taken when the call starts, so counters follow send order.
 * An encrypted client without a key never gets plaintext: the message is not sent (counted
 * as `transformFailed`), which is what happens if only one of the encryption providers is overridden.
 */
export class AesGcmOutboundTransformerProvider extends BaseProvider<TWebSocketOutboundTransformer> {
  constructor(@inject({ key: WebSocketBindingKeys.ENCRYPTION_KEYS }) private readonly keys: ClientKeyStore) {
    super({ scope: AesGcmOutboundTransformerProvider.name });
  }

  value(): TWebSocketOutboundTransformer {
    return async ({ client, event, data, id }) => {
      if (!client.encrypted) return null;
      const session = this.keys.session(client.id);
      if (!session) {
        throw getError({
          message:
            `[AesGcmOutboundTransformerProvider] No key for encrypted client ${client.id}; ` +
            'override HANDSHAKE_HANDLER, OUTBOUND_TRANSFORMER and INBOUND_TRANSFORMER together.',
        });
      }
      const plaintext = JSON.stringify(id === undefined ? { event, data } : { event, data, id });
      return { event: WebSocketEvents.ENCRYPTED, data: await session.seal(plaintext) };
    };
  }
}
