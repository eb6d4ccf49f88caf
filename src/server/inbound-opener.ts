import type { Logger } from '@venizia/ignis-helpers';
import {
  WebSocketClientStates,
  WebSocketErrorCodes,
  WebSocketEvents,
  type AnyObject,
  type IWebSocketMessage,
  type TWebSocketErrorCode,
} from '../protocol/index.js';
import { LogThrottle } from '../logging/log-throttle.js';
import type { ClientRegistry, IClientRecord } from './client-registry.js';
import { readEnvelope } from './envelope.js';
import { WebSocketEventError } from './event-error.js';
import type { IWebSocketClient, TWebSocketInboundTransformer } from './types.js';

/** Where an opened frame goes: the router's routing, or its refusal (an `error` event, logged by kind). */
export interface IOpenedFrameSink<MetadataType extends AnyObject> {
  route(client: IClientRecord<MetadataType>, message: IWebSocketMessage): void;
  refuse(client: IWebSocketClient<MetadataType>, code: TWebSocketErrorCode, message: string, id?: string): void;
}

/**
 * Frames of encrypted clients, between the envelope check and routing: each goes through the
 * `inboundTransformer` one at a time per client, in arrival order (decryption is async, and the
 * counters it checks must see frames in the order they came), then what it carries is read like
 * any frame (nesting limit included) and routed. A refusal is answered with its code; a
 * client that left meanwhile gets nothing routed.
 */
export class InboundOpener<MetadataType extends AnyObject> {
  /** Last pending frame per client, so a client's frames are opened and routed in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly logs: LogThrottle;

  constructor(
    private readonly transformer: TWebSocketInboundTransformer<MetadataType>,
    private readonly registry: ClientRegistry<MetadataType>,
    /** `protection.maxJsonDepth`, applied to the frame inside as to any frame (0: no limit). */
    private readonly maxJsonDepth: number,
    logger: Logger,
  ) {
    this.logs = new LogThrottle(logger);
  }

  /** Queues one frame of an encrypted client behind its earlier ones; never throws. */
  open(client: IClientRecord<MetadataType>, message: IWebSocketMessage, sink: IOpenedFrameSink<MetadataType>): void {
    const previous = this.chains.get(client.id) ?? Promise.resolve();
    const current = previous
      .then(() => this.openOne(client, message, sink))
      .catch(error => this.logs.error('inbound-open-error', `routing an opened frame from client ${client.id} failed:`, error));
    this.chains.set(client.id, current);
    void current.then(() => {
      if (this.chains.get(client.id) === current) this.chains.delete(client.id);
    });
  }

  private async openOne(client: IClientRecord<MetadataType>, message: IWebSocketMessage, sink: IOpenedFrameSink<MetadataType>) {
    let text: string | null | undefined;
    try {
      text = await this.transformer({ client, event: message.event, data: message.data, id: message.id });
    } catch (error) {
      if (!this.isHere(client)) return;
      if (error instanceof WebSocketEventError) {
        sink.refuse(client, error.code as TWebSocketErrorCode, error.message, message.id);
        return;
      }
      this.logs.error('inbound-transform-failed', `inbound transformer threw for client ${client.id}; frame refused:`, error);
      sink.refuse(client, WebSocketErrorCodes.DECRYPT_FAILED, 'The server could not open this frame', message.id);
      return;
    }
    if (!this.isHere(client)) return;
    if (text === null || text === undefined) {
      sink.route(client, message);
      return;
    }
    const read = readEnvelope(text, this.maxJsonDepth);
    if (!read.ok) {
      sink.refuse(client, read.code, read.message, read.id);
      return;
    }
    const inner = read.message;
    if (inner.event === WebSocketEvents.HEARTBEAT) return;
    if (inner.event === WebSocketEvents.ENCRYPTED) {
      sink.refuse(client, WebSocketErrorCodes.DECRYPT_FAILED, 'An encrypted frame cannot carry another encrypted frame', inner.id);
      return;
    }
    sink.route(client, inner);
  }

  private isHere(client: IWebSocketClient<MetadataType>): boolean {
    return this.registry.clients.get(client.id) === client && client.state === WebSocketClientStates.AUTHENTICATED;
  }
}
