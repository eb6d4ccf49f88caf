import { BaseProvider, inject } from '@venizia/ignis';
import { WebSocketErrorCodes, WebSocketEvents } from '../../protocol/index.js';
import { WebSocketEventError } from '../../server/event-error.js';
import type { TWebSocketInboundTransformer } from '../../server/types.js';
import { WebSocketBindingKeys } from '../keys.js';
import type { ClientKeyStore } from './client-key-store.js';

/**
 * Default `INBOUND_TRANSFORMER`: once a client has a key, only `encrypted` frames from it count.
 * Each is opened with its `AesGcmSession`: it must authenticate under its own client → server
 * counter, and that counter must be above the last one accepted, so a replayed or reordered frame
 * is refused (`REPLAYED_FRAME`), as is a plaintext one (`PLAINTEXT_REFUSED`) or one that does not
 * decrypt (`DECRYPT_FAILED`). Heartbeats never reach it (they carry nothing). A client without a
 * key in the store (one encrypted by the app's own means) passes through untouched.
 */
export class AesGcmInboundTransformerProvider extends BaseProvider<TWebSocketInboundTransformer> {
  constructor(@inject({ key: WebSocketBindingKeys.ENCRYPTION_KEYS }) private readonly keys: ClientKeyStore) {
    super({ scope: AesGcmInboundTransformerProvider.name });
  }

  value(): TWebSocketInboundTransformer {
    return async ({ client, event, data }) => {
      const session = this.keys.session(client.id);
      if (!session) return null;
      if (event !== WebSocketEvents.ENCRYPTED) {
        throw new WebSocketEventError(WebSocketErrorCodes.PLAINTEXT_REFUSED, 'This session is encrypted: send every event encrypted');
      }
      const opened = await session.open(data);
      if (opened.ok) return opened.plaintext;
      if (opened.reason === 'replayed') {
        throw new WebSocketEventError(WebSocketErrorCodes.REPLAYED_FRAME, 'Refused a frame whose counter was already used (replayed or reordered)');
      }
      throw new WebSocketEventError(WebSocketErrorCodes.DECRYPT_FAILED, 'Refused a frame that does not decrypt with this session');
    };
  }
}
