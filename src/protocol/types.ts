/**
 * Wire types shared by the server, the client and the emitter: the client envelope and the
 * cross-instance envelope. Browser-safe: nothing here imports a server or Node module.
 */
import type { TWebSocketMessageType } from './constants.js';

/** A value or a promise of it. */
export type ValueOrPromise<T> = T | Promise<T>;

/** Shape both generic parameters are constrained to. */
export type AnyObject = Record<string, unknown>;

/** Client <-> server message envelope. */
export interface IWebSocketMessage<DataType = unknown> {
  event: string;
  data?: DataType;
  id?: string;
}

/** Cross-instance envelope published on the `ws:*` Redis channels. */
export interface IRedisSocketMessage<DataType = unknown> {
  /** Publishing node's id, or `'emitter'`. */
  serverId: string;
  type: TWebSocketMessageType;
  /** clientId, userId or room name; absent for broadcast. */
  target?: string;
  event: string;
  data: DataType;
  /** Client ids that must not receive the message. */
  exclude?: string[];
}

