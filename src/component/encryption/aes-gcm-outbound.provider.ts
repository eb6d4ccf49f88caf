import { BaseProvider, inject } from '@venizia/ignis';
import { getError } from '@venizia/ignis-helpers';
import { encryptText, WebSocketEvents } from '../../protocol';
import type { TWebSocketOutboundTransformer } from '../../server/types';
import { WebSocketBindingKeys } from '../keys';
import type { ClientKeyStore } from './client-key-store';

/**
 * Default `OUTBOUND_TRANSFORMER`: for an encrypted client, encrypts the JSON of
 * `{ event, data, id? }` with its AES-256-GCM key and a fresh 12-byte IV into
 * `{ event: 'encrypted', data: { iv, ciphertext } }`. Unencrypted clients pass through.
 * An encrypted client without a key never gets plaintext: the message is not sent (counted
 * as `transformFailed`), which is what happens if only one of the encryption pair is overridden.
 */
export class AesGcmOutboundTransformerProvider extends BaseProvider<TWebSocketOutboundTransformer> {
  constructor(@inject({ key: WebSocketBindingKeys.ENCRYPTION_KEYS }) private readonly keys: ClientKeyStore) {
    super({ scope: AesGcmOutboundTransformerProvider.name });
  }

  value(): TWebSocketOutboundTransformer {
    return async ({ client, event, data, id }) => {
      if (!client.encrypted) return null;
      const key = this.keys.get(client.id);
      if (!key) {
        throw getError({
          message:
            `[AesGcmOutboundTransformerProvider] No key for encrypted client ${client.id}; ` +
            'override HANDSHAKE_HANDLER and OUTBOUND_TRANSFORMER together.',
        });
      }
      const plaintext = JSON.stringify(id === undefined ? { event, data } : { event, data, id });
      return { event: WebSocketEvents.ENCRYPTED, data: await encryptText(key, plaintext) };
    };
  }
}
