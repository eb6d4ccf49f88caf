/**
 * N WebSocket clients against one target: opened with at most `window` handshakes in flight,
 * each authenticated before it counts as connected. After `connected`, every frame goes to
 * `onFrame`. Optionally every client sends the protocol heartbeat, staggered over the interval.
 */

/** The keep-alive frame of the wire protocol (any inbound frame counts as activity). */
const HEARTBEAT_FRAME = JSON.stringify({ event: 'heartbeat' });
/** The heartbeat ticker sends to a slice of the clients this often. */
const HEARTBEAT_TICK_MS = 100;

/** How to open the pool. */
export interface IPoolOptions {
  url: string;
  count: number;
  window: number;
  /** Longest wait for one client's `connected`. */
  timeoutMs: number;
  authData: (n: number) => Record<string, unknown>;
  onFrame: (text: string) => void;
  onProgress?: (connected: number) => void;
}

/** Outcome of `connect()`. */
export interface IConnectOutcome {
  connected: number;
  failed: number;
  elapsedMs: number;
}

/** A set of authenticated clients. */
export class ClientPool {
  readonly sockets: WebSocket[] = [];
  /** Clients that closed after authenticating. */
  dropped = 0;
  /** Heartbeat frames sent. */
  heartbeats = 0;
  private failed = 0;
  private aborted = false;
  private heartbeatTimer?: ReturnType<typeof setInterval>;

  constructor(private readonly opts: IPoolOptions) {}

  /** Opens and authenticates all clients; resolves when every one has succeeded or failed. */
  async connect(): Promise<IConnectOutcome> {
    const start = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < this.opts.count && !this.aborted) await this.openOne(next++);
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.window, this.opts.count) }, worker));
    return { connected: this.sockets.length, failed: this.failed, elapsedMs: performance.now() - start };
  }

  /** Asks every client to join `rooms`. */
  join(rooms: string[]): void {
    const frame = JSON.stringify({ event: 'join', data: { rooms } });
    for (const ws of this.sockets) ws.send(frame);
  }

  /**
   * Sends a heartbeat from every client once per `intervalMs`: every 100 ms the next slice of
   * clients, so the beats are spread evenly over the interval instead of firing at once.
   */
  startHeartbeat(intervalMs: number): void {
    const ticks = Math.max(1, Math.round(intervalMs / HEARTBEAT_TICK_MS));
    let tick = 0;
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => {
      const n = this.sockets.length;
      const end = Math.floor(((tick + 1) * n) / ticks);
      for (let i = Math.floor((tick * n) / ticks); i < end; i++) {
        const ws = this.sockets[i]!;
        if (ws.readyState !== WebSocket.OPEN) continue;
        ws.send(HEARTBEAT_FRAME);
        this.heartbeats++;
      }
      tick = (tick + 1) % ticks;
    }, HEARTBEAT_TICK_MS);
  }

  /** Closes every client. */
  close(): void {
    clearInterval(this.heartbeatTimer);
    for (const ws of this.sockets) {
      ws.onclose = null;
      ws.close();
    }
  }

  private openOne(n: number): Promise<void> {
    return new Promise(resolve => {
      const ws = new WebSocket(this.opts.url);
      let settled = false;
      const finish = (ok: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!ok) {
          this.failed++;
          // A first window of failures and no success: the server is not answering; stop early.
          if (this.sockets.length === 0 && this.failed >= Math.min(this.opts.window, this.opts.count)) this.aborted = true;
          ws.onclose = null;
          ws.close();
          return resolve();
        }
        this.sockets.push(ws);
        ws.onmessage = event => this.opts.onFrame(event.data as string);
        ws.onclose = () => this.dropped++;
        this.opts.onProgress?.(this.sockets.length);
        resolve();
      };
      const timer = setTimeout(() => finish(false), this.opts.timeoutMs);
      ws.onopen = () => ws.send(JSON.stringify({ event: 'authenticate', data: this.opts.authData(n) }));
      ws.onmessage = event => {
        try {
          const message = JSON.parse(event.data as string) as { event?: string };
          if (message.event === 'connected') finish(true);
          else if (message.event === 'error') finish(false);
        } catch {
          finish(false);
        }
      };
      ws.onerror = () => finish(false);
      ws.onclose = () => finish(false);
    });
  }
}
