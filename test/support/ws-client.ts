/**
 * A real WebSocket client for tests: records every frame, lets a test await the next message
 * of an event (or the close), and never sleeps.
 */
export interface IFrame {
  event: string;
  data?: any;
  id?: string;
}

type Waiter = { match: (f: IFrame) => boolean; resolve: (f: IFrame) => void; reject: (e: Error) => void; timer: Timer };

export class TestClient {
  readonly frames: IFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly ws: WebSocket;
  private waiters: Waiter[] = [];
  private readonly consumed = new Set<IFrame>();

  private constructor(url: string) {
    this.ws = new WebSocket(url);
    this.closed = new Promise(resolve => {
      this.ws.addEventListener('close', e => {
        for (const w of this.waiters) {
          clearTimeout(w.timer);
          w.reject(new Error(`socket closed (${e.code} ${e.reason}) while waiting`));
        }
        this.waiters = [];
        resolve({ code: e.code, reason: e.reason });
      });
    });
    this.ws.addEventListener('message', e => {
      let frame: IFrame;
      try {
        frame = JSON.parse(String(e.data));
      } catch {
        frame = { event: '__unparseable__', data: String(e.data) };
      }
      this.frames.push(frame);
      const waiter = this.waiters.find(w => w.match(frame));
      if (waiter) {
        this.waiters = this.waiters.filter(w => w !== waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(frame);
      }
    });
  }

  /** Opens a connection and waits for it to be open. */
  static async open(url: string): Promise<TestClient> {
    const client = new TestClient(url);
    await new Promise<void>((resolve, reject) => {
      client.ws.addEventListener('open', () => resolve(), { once: true });
      client.ws.addEventListener('error', () => reject(new Error(`could not connect to ${url}`)), { once: true });
    });
    return client;
  }

  /** Opens, authenticates and waits for `connected`. */
  static async connect(url: string, auth: Record<string, unknown> = { token: 'ok' }): Promise<TestClient> {
    const client = await TestClient.open(url);
    client.send({ event: 'authenticate', data: auth });
    await client.next('connected');
    return client;
  }

  get id(): string {
    const connected = this.frames.find(f => f.event === 'connected');
    if (!connected) throw new Error('not connected yet');
    return connected.data.id;
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  sendRaw(data: string | ArrayBufferLike | Uint8Array): void {
    this.ws.send(data as any);
  }

  /** Resolves with the first not-yet-awaited frame (already received or future) of `event` matching `where`. */
  next(event: string, where: (f: IFrame) => boolean = () => true, timeoutMs = 5_000): Promise<IFrame> {
    const match = (f: IFrame) => f.event === event && !this.consumed.has(f) && where(f);
    const seen = this.frames.find(match);
    if (seen) {
      this.consumed.add(seen);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter(w => w.timer !== timer);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for '${event}'; got ${JSON.stringify(this.frames.slice(-5))}`));
      }, timeoutMs);
      this.waiters.push({
        match,
        resolve: f => {
          this.consumed.add(f);
          resolve(f);
        },
        reject,
        timer,
      });
    });
  }

  /** Frames of one event received so far. */
  all(event: string): IFrame[] {
    return this.frames.filter(f => f.event === event);
  }

  /** Sends a request and waits for the answer carrying its id. */
  async request(event: string, data: unknown, answer: string): Promise<IFrame> {
    const id = crypto.randomUUID();
    this.send({ event, data, id });
    return this.next(answer, f => f.id === id);
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState <= 1) this.ws.close(1000, 'test done');
    return this.closed;
  }
}
