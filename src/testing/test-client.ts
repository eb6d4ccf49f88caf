/**
 * A real WebSocket client for tests of an app's sockets: speaks the wire protocol directly (no
 * reconnects, no heartbeats, nothing hidden), records every frame, and lets a test await the next
 * frame of an event, the answer to a request, or the close — it never sleeps.
 * Docs: wiki/testing.md
 *
 * @example
 * const client = await WebSocketTestClient.connect('ws://127.0.0.1:3000/ws', { token });
 * expect(await client.join(['lobby'])).toEqual({ rooms: ['lobby'], refused: [] });
 * expect((await client.next('chat:message')).data.text).toBe('hi');
 * await client.close();
 */
import { WebSocketEvents } from '../protocol/constants.js';
import type { AnyObject } from '../protocol/types.js';

/** One frame the server sent: `{ event, data?, id? }` (`data` is `any` so tests can reach into it). */
export interface IWebSocketTestFrame {
  event: string;
  data?: any;
  id?: string;
}

/** The part of a WebSocket the test client uses; the global `WebSocket` of Bun, browsers and Node 22+, and `ws`, all fit. */
export interface ITestSocket {
  readonly readyState: number;
  send(data: any): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: any) => void, options?: { once?: boolean }): void;
}

/** A WebSocket class: the global one by default; on Node 20 pass `WebSocket` from the `ws` package. */
export type TTestSocketConstructor = new (url: string) => ITestSocket;

export interface IWebSocketTestClientOptions {
  /** WebSocket class to use instead of the global `WebSocket` (the same option name as `WebSocketClient`'s). */
  WebSocketImpl?: TTestSocketConstructor;
}

/** What `join` / `leave` are answered with. */
export interface IWebSocketTestRoomsAck {
  rooms: string[];
  refused: string[];
}

type Waiter = {
  match: (f: IWebSocketTestFrame) => boolean;
  resolve: (f: IWebSocketTestFrame) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
};

/** Default wait for an awaited frame, in ms. */
export const TEST_CLIENT_TIMEOUT_MS = 5_000;

export class WebSocketTestClient {
  /** Every frame received, in order. */
  readonly frames: IWebSocketTestFrame[] = [];
  /** Resolves with the close code and reason, whoever closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly ws: ITestSocket;
  private waiters: Waiter[] = [];
  private readonly consumed = new Set<IWebSocketTestFrame>();
  private requests = 0;

  private constructor(url: string, options: IWebSocketTestClientOptions) {
    const SocketImpl = options.WebSocketImpl ?? (globalThis as { WebSocket?: TTestSocketConstructor }).WebSocket;
    if (!SocketImpl) throw new Error('[WebSocketTestClient] no global WebSocket in this runtime; pass { WebSocketImpl } (e.g. from the ws package)');
    this.ws = new SocketImpl(url);
    this.closed = new Promise(resolve => {
      this.ws.addEventListener('close', (e: { code: number; reason: string }) => {
        for (const w of this.waiters) {
          clearTimeout(w.timer);
          w.reject(new Error(`socket closed (${e.code} ${e.reason}) while waiting`));
        }
        this.waiters = [];
        resolve({ code: e.code, reason: e.reason });
      });
    });
    this.ws.addEventListener('message', (e: { data: unknown }) => this.receive(e.data));
  }

  /** Opens a connection and waits until it is open (not authenticated yet). */
  static async open(url: string, options: IWebSocketTestClientOptions = {}): Promise<WebSocketTestClient> {
    const client = new WebSocketTestClient(url, options);
    await new Promise<void>((resolve, reject) => {
      client.ws.addEventListener('open', () => resolve(), { once: true });
      client.ws.addEventListener('error', () => reject(new Error(`could not connect to ${url}`)), { once: true });
    });
    return client;
  }

  /** Opens, authenticates with `auth` and waits for `connected`; rejects if the server refuses. */
  static async connect(url: string, auth: AnyObject = {}, options: IWebSocketTestClientOptions = {}): Promise<WebSocketTestClient> {
    const client = await WebSocketTestClient.open(url, options);
    try {
      await client.authenticate(auth);
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  /** The id the server gave this client (from `connected`). */
  get id(): string {
    const connected = this.frames.find(f => f.event === WebSocketEvents.CONNECTED);
    if (!connected) throw new Error('not connected yet');
    return connected.data.id;
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  /** Sends `authenticate` and resolves with `connected`; rejects with the server's `error` (then the server closes 4003). */
  async authenticate(auth: AnyObject, timeoutMs = TEST_CLIENT_TIMEOUT_MS): Promise<IWebSocketTestFrame> {
    this.send({ event: WebSocketEvents.AUTHENTICATE, data: auth });
    const answer = await this.waitFor(
      f => f.event === WebSocketEvents.CONNECTED || f.event === WebSocketEvents.ERROR,
      `'${WebSocketEvents.CONNECTED}'`,
      timeoutMs,
    );
    if (answer.event === WebSocketEvents.ERROR) throw new Error(`authentication refused: ${JSON.stringify(answer.data)}`);
    return answer;
  }

  /** Sends a message: an object is JSON-encoded, a string is sent as it is. */
  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends a frame exactly as given (binary or text), for tests of bad input. */
  sendRaw(data: string | ArrayBufferLike | Uint8Array): void {
    this.ws.send(data);
  }

  /** Resolves with the first not-yet-awaited frame (already received or future) of `event` matching `where`. */
  next(event: string, where: (f: IWebSocketTestFrame) => boolean = () => true, timeoutMs = TEST_CLIENT_TIMEOUT_MS): Promise<IWebSocketTestFrame> {
    return this.waitFor(f => f.event === event && where(f), `'${event}'`, timeoutMs);
  }

  /** Frames of one event received so far. */
  all(event: string): IWebSocketTestFrame[] {
    return this.frames.filter(f => f.event === event);
  }

  /** Sends `{ event, data, id }` and waits for the `answer` event carrying the same id. */
  async request(event: string, data: unknown, answer: string, timeoutMs = TEST_CLIENT_TIMEOUT_MS): Promise<IWebSocketTestFrame> {
    const id = `test-${++this.requests}-${Math.random().toString(36).slice(2)}`;
    this.send({ event, data, id });
    return this.next(answer, f => f.id === id, timeoutMs);
  }

  /** Asks to join rooms; resolves with the server's answer (rooms joined and refused). */
  async join(rooms: string[]): Promise<IWebSocketTestRoomsAck> {
    return (await this.request(WebSocketEvents.JOIN, { rooms }, WebSocketEvents.JOINED)).data;
  }

  /** Asks to leave rooms; resolves with the server's answer (rooms left and refused). */
  async leave(rooms: string[]): Promise<IWebSocketTestRoomsAck> {
    return (await this.request(WebSocketEvents.LEAVE, { rooms }, WebSocketEvents.LEFT)).data;
  }

  /** Closes with 1000 (if still open) and resolves once the socket is closed. */
  close(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState <= 1) this.ws.close(1000, 'test done');
    return this.closed;
  }

  private receive(raw: unknown): void {
    let frame: IWebSocketTestFrame;
    try {
      frame = JSON.parse(String(raw));
    } catch {
      frame = { event: '__unparseable__', data: String(raw) };
    }
    this.frames.push(frame);
    const waiter = this.waiters.find(w => w.match(frame));
    if (!waiter) return;
    this.waiters = this.waiters.filter(w => w !== waiter);
    clearTimeout(waiter.timer);
    waiter.resolve(frame);
  }

  private waitFor(where: (f: IWebSocketTestFrame) => boolean, what: string, timeoutMs: number): Promise<IWebSocketTestFrame> {
    const match = (f: IWebSocketTestFrame) => !this.consumed.has(f) && where(f);
    const seen = this.frames.find(match);
    if (seen) {
      this.consumed.add(seen);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter(w => w.timer !== timer);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(this.frames.slice(-5))}`));
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
}
