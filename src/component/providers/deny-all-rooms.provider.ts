import { BaseProvider } from '@venizia/ignis';
import type { TWebSocketValidateRoomFn } from '../../server/types.js';

/**
 * Default `VALIDATE_ROOM_HANDLER`: refuses every room a client asks to join (the secure
 * default). Clients still get their own-id room and the default rooms; bind your own provider
 * to let clients join rooms.
 */
export class DenyAllRoomsProvider extends BaseProvider<TWebSocketValidateRoomFn> {
  constructor() {
    super({ scope: DenyAllRoomsProvider.name });
  }

  value(): TWebSocketValidateRoomFn {
    return () => [];
  }
}
