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
  /** Beyond the contract: the room a message of a room with history was sent to (absent for rooms without history). */
  room?: string;
  /** Beyond the contract: its position in the room's history (wiki/recovery.md). */
  pos?: IStreamPosition;
}

/**
 * Beyond the contract: where a message stands in a channel's history. `offset` orders messages
 * (`<ms>-<seq>`, a Redis stream entry id; compare with `compareOffsets`); `epoch` names the
 * history it belongs to and changes when that history was lost (Redis flushed, in-memory node
 * restarted), so a position from another epoch can never be recovered from.
 */
export interface IStreamPosition {
  offset: string;
  epoch: string;
}

/** Orders two stream offsets (`<ms>-<seq>`): negative, 0 or positive. */
export const compareOffsets = (a: string, b: string): number => {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  return Number(am) - Number(bm) || Number(as) - Number(bs);
};

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
  /** Beyond the contract: the message's position in its room's history (rooms with history only; readers of the contract ignore it). */
  pos?: IStreamPosition;
}

/**
 * Beyond the contract: a command from one node (or an emitter) to every node, published on
 * `ws:control` only and never delivered to a client. Validated with zod on arrival; a command
 * that does not validate is dropped as malformed.
 */
export interface IRedisDisconnectCommand {
  /** Publishing node's id, or `'emitter'`. */
  serverId: string;
  type: 'control';
  action: 'disconnect';
  /** Exactly one of `clientId` / `userId`: the one socket, or every socket of the user. */
  clientId?: string;
  userId?: string;
  /** Close code: 1000 or 3000–4999 (default 4007, `WebSocketCloseCodes.KICKED`). */
  code: number;
  /** Close reason, at most 123 UTF-8 bytes. */
  reason: string;
}

/** Every node-to-node command on `ws:control` (one action so far). */
export type TRedisControlMessage = IRedisDisconnectCommand;

/** Anything a broker carries: a message for clients, or a control command. */
export type TRedisEnvelope = IRedisSocketMessage | TRedisControlMessage;
