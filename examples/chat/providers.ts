/**
 * The three app-specific pieces the WebSocket component asks for, as Ignis providers:
 * who may connect, which rooms they may join, and the typed events they may send.
 */
import { BaseApplication, BaseProvider, CoreBindings, inject } from '@venizia/ignis';
import {
  LazyWebSocketHelper,
  type IWebSocketEventDefinition,
  type TWebSocketAuthenticateFn,
  type TWebSocketHistoryPolicyFn,
  type TWebSocketValidateRoomFn,
} from 'ignis-websocket';
import { createChatEvents, ROOM_NAME } from './events';

/** Binding key of this instance's display name (see app.ts). */
export const CHAT_INSTANCE_KEY = 'chat.instance';

/** Display names: letters, digits, space, `_`, `.` and `-`, 1 to 24 characters. */
const DISPLAY_NAME = /^[\p{L}\p{N} _.-]{1,24}$/u;

/**
 * DEMO AUTHENTICATION — NOT FOR PRODUCTION. The page sends `{ name }` and whatever name it
 * picks becomes the user id: anyone can claim any name. A real app leaves
 * AUTHENTICATE_HANDLER unbound so the component's `JwtAuthenticateProvider` verifies
 * `{ type: 'Bearer', token }` with the app's own Ignis JWT service (see wiki/component.md).
 */
export class DemoNameAuthProvider extends BaseProvider<TWebSocketAuthenticateFn> {
  constructor() {
    super({ scope: DemoNameAuthProvider.name });
  }

  value(): TWebSocketAuthenticateFn {
    return ({ name }) => {
      const userId = typeof name === 'string' ? name.trim() : '';
      // null rejects: the client gets an AUTH_FAILED error and the socket is closed with 4003.
      return DISPLAY_NAME.test(userId) ? { userId } : null;
    };
  }
}

/** Every chat room keeps its newest 500 messages for an hour: shown on join, recovered after a reconnect. */
export const chatHistoryPolicy: TWebSocketHistoryPolicyFn = room => (ROOM_NAME.test(room) ? { size: 500, ttlSeconds: 3600 } : false);

/** Lets clients join any room whose name matches `ROOM_NAME`; other names are refused. */
export class ChatRoomsProvider extends BaseProvider<TWebSocketValidateRoomFn> {
  constructor() {
    super({ scope: ChatRoomsProvider.name });
  }

  value(): TWebSocketValidateRoomFn {
    return ({ rooms }) => rooms.filter(room => ROOM_NAME.test(room));
  }
}

/** Supplies the chat's typed events, wired to the running helper and this instance's name. */
export class ChatEventsProvider extends BaseProvider<IWebSocketEventDefinition<any, any>[]> {
  private readonly ws: LazyWebSocketHelper;

  constructor(
    @inject({ key: CoreBindings.APPLICATION_INSTANCE }) application: BaseApplication,
    @inject({ key: CHAT_INSTANCE_KEY }) private readonly instance: string,
  ) {
    super({ scope: ChatEventsProvider.name });
    // The helper exists only once the app has started, so it is looked up when a message arrives.
    this.ws = new LazyWebSocketHelper(application);
  }

  value(): IWebSocketEventDefinition<any, any>[] {
    return createChatEvents({
      instance: this.instance,
      isMember: ({ clientId, room }) => this.ws.get().getClients({ id: clientId })?.rooms.has(room) ?? false,
      online: async room => (await this.ws.get().getPresence(room)).users.map(user => user.userId).sort(),
    });
  }
}
