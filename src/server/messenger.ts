import { WebSocketEvents, WebSocketReadyStates, type AnyObject, type TWebSocketErrorCode } from '../protocol/index.js';
import type { Delivery } from './delivery.js';
import type { IWebSocketClient } from './types.js';

/**
 * The one way the server's parts answer a client: system messages (connected, joined, left,
 * error, replies) and coded errors. Before and including `connected` they go in the clear (the
 * client needs `serverPublicKey` and `salt` to derive its key); after it an encrypted client
 * gets them through the transformer, like any other message.
 */
export class ClientMessenger<MetadataType extends AnyObject> {
  constructor(private readonly delivery: Delivery<MetadataType>) {}

  /** A system event, carrying the request id when it answers one. */
  system(client: IWebSocketClient<MetadataType>, event: string, data: unknown, id?: string): void {
    if (client.socket.readyState !== WebSocketReadyStates.OPEN) return;
    if (!client.encrypted || event === WebSocketEvents.CONNECTED) {
      this.delivery.sendFrame(client, JSON.stringify(id === undefined ? { event, data } : { event, data, id }));
    } else {
      this.delivery.toClient(client, event, data, id);
    }
  }

  /** An `error` event `{ message, code, id?, ...extra }`. */
  error(client: IWebSocketClient<MetadataType>, code: TWebSocketErrorCode, message: string, id?: string, extra?: AnyObject): void {
    const data: AnyObject = { message, code, ...extra };
    if (id !== undefined) data.id = id;
    this.system(client, WebSocketEvents.ERROR, data, id);
  }
}
