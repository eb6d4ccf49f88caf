/**
 * What the targets and the load generators agree on beyond the wire protocol itself: the ws
 * path, the token format, room names, the bench event and its payload, and the HTTP routes
 * that make a target send.
 */

/** Upgrade path of every target. */
export const WS_PATH = '/ws';
/** Event name of every message a burst or stream sends. */
export const BENCH_EVENT = 'bench';
/** Tokens are `bench-token:<n>`; the user id is `user-<n>`. */
export const TOKEN_PREFIX = 'bench-token:';
/** Clients may join rooms with this prefix only. */
export const ROOM_PREFIX = 'bench-';

/** HTTP routes every target serves next to its WebSocket path. */
export class BenchRoutes {
  /** 200 once the WebSocket side is up, 503 before. */
  static readonly READY = '/bench/ready';
  /** `POST ?room=&count=&via=local|send[&seq0=]`: sends `count` messages at once, seq from `seq0`. */
  static readonly BURST = '/bench/burst';
  /** `POST ?room=&count=&rate=&via=`: sends `count` messages at `rate`/s, answers at once. */
  static readonly PACED = '/bench/paced';
  /** `GET ?room=`: members of a room on this node. */
  static readonly ROOM = '/bench/room';
  /** `POST`: full garbage collection, so memory readings compare like with like. */
  static readonly GC = '/bench/gc';
  /** `GET`: messages this node received from Redis, and the helper's own stats if it has any. */
  static readonly STATS = '/bench/stats';
  /** `GET`: this process's own `process.cpuUsage()` as `{ cpuUs }` (user + system, µs). */
  static readonly CPU = '/bench/cpu';
}

/** Wall-clock time in ms with sub-ms precision, comparable across processes on one host. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/** Data of one bench message; `t` is the send time from `nowMs()`. */
export interface IBenchData {
  seq: number;
  t: number;
  pad: string;
}

const PAD = 'x'.repeat(64);

/** The data of message `seq`, stamped now. */
export const makeBenchData = (seq: number): IBenchData => ({ seq, t: nowMs(), pad: PAD });

/** The `authenticate` data of client `n`. */
export const tokenFor = (n: number): string => `${TOKEN_PREFIX}${n}`;

/** The bench authentication rule: a token with the prefix maps to a user id; anything else fails. */
export const checkToken = (data: unknown): { userId: string } | null => {
  const token = (data as { token?: unknown } | null)?.token;
  if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX)) return null;
  return { userId: `user-${token.slice(TOKEN_PREFIX.length)}` };
};

/** The bench room rule. */
export const isBenchRoom = (room: string): boolean => room.startsWith(ROOM_PREFIX);

/** A substring that matches only the frame of message `seq` (data is serialised seq first). */
export const seqMarker = (seq: number): string => `"seq":${seq},`;

/** The send timestamp inside a bench frame, without parsing the whole JSON; NaN if absent. */
export const readSendTime = (text: string): number => {
  const at = text.indexOf('"t":');
  return at < 0 ? NaN : parseFloat(text.slice(at + 4, at + 40));
};
