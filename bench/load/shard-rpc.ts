/**
 * What a load generator (the coordinator, `shards.ts`) and its worker processes (`worker.ts`)
 * say to each other: one JSON request per line on the worker's stdin, one JSON reply per line
 * on its stdout. Latency samples travel as base64 of their Float64Array bytes (exact, compact).
 */

/** How one worker is set up: its share of the clients and what its frame counter matches. */
export interface IShardSetup {
  url: string;
  /** Client number of this share's first client (`tokenFor(first + i)`: numbers stay globally unique). */
  first: number;
  count: number;
  /** Handshakes in flight at once in this worker. */
  window: number;
  /** Longest wait for one client's `connected`. */
  timeoutMs: number;
  /** Clients send a public key in `authenticate` (encrypted fan-out). */
  encrypted: boolean;
  /** Frames containing this count in a phase, unless `start` names another match. */
  match: string;
  /** Record receive − send latency per frame. */
  withLatency: boolean;
  /** When set, every client sends the protocol heartbeat once per this many ms, staggered. */
  heartbeatMs?: number;
}

/** A worker's connect: absolute times (`nowMs()`, one host) so the coordinator can merge them. */
export interface IShardConnect {
  connected: number;
  failed: number;
  startAt: number;
  endAt: number;
  /** Cores this worker used while connecting. */
  cores: number;
}

/** A worker's side of one phase: its frames, when they came, and the CPU it spent. */
export interface IShardWait {
  received: number;
  expected: number;
  startedAt: number;
  lastAt: number;
  /** Latency samples, base64 of Float64Array bytes ('' without latency). */
  latencies: string;
  /** Cores this worker used from `start` to the end of `wait`. */
  cores: number;
}

/** A worker's counters right now. */
export interface IShardStatus {
  connected: number;
  /** Frames counted in the current phase. */
  received: number;
  /** Clients closed after authenticating (by the server or the network). */
  dropped: number;
  heartbeats: number;
}

/** Every request a worker answers: its arguments and its result. */
export interface IShardOps {
  connect: { args: Record<string, never>; result: IShardConnect };
  join: { args: { rooms: string[] }; result: null };
  /** Starts a phase: `perMember` frames expected per client, counted when they contain `match`. */
  start: { args: { perMember: number; match: string }; result: null };
  wait: { args: { timeoutMs: number }; result: IShardWait };
  status: { args: Record<string, never>; result: IShardStatus };
  gc: { args: Record<string, never>; result: null };
}

/** Name of a request. */
export type TShardOp = keyof IShardOps;

/** One request line. */
export interface IShardRequest<K extends TShardOp = TShardOp> {
  id: number;
  op: K;
  args: IShardOps[K]['args'];
}

/** One reply line: `result`, or `error` when the request failed. */
export interface IShardReply {
  id: number;
  result?: unknown;
  error?: string;
}

/** Latency samples as base64 of their bytes. */
export const encodeSamples = (samples: Float64Array): string =>
  Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).toString('base64');

/** The samples `encodeSamples` wrote. */
export const decodeSamples = (text: string): Float64Array => {
  const bytes = Buffer.from(text, 'base64');
  const samples = new Float64Array(bytes.byteLength / Float64Array.BYTES_PER_ELEMENT);
  new Uint8Array(samples.buffer).set(bytes);
  return samples;
};

/** Calls `onLine` with every complete line of `stream`; resolves when the stream ends. */
export const readLines = async (stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> => {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  let buffered = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    const searchFrom = buffered.length;
    buffered += decoder.decode(value, { stream: true });
    let newline = buffered.indexOf('\n', searchFrom);
    let consumed = 0;
    while (newline >= 0) {
      onLine(buffered.slice(consumed, newline));
      consumed = newline + 1;
      newline = buffered.indexOf('\n', consumed);
    }
    buffered = buffered.slice(consumed);
  }
};
