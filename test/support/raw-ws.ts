/**
 * A WebSocket client written on a plain TCP socket, for what browsers refuse to send (invalid
 * UTF-8 text frames) and what they do automatically (reading): it can pause reading to build
 * real backpressure on the server.
 */
import net from 'node:net';

export class RawWsClient {
  private buffered = Buffer.alloc(0);
  private listeners: ((text: string) => void)[] = [];
  readonly closed: Promise<number>;

  private constructor(readonly socket: net.Socket) {
    this.closed = new Promise(resolve => socket.on('close', () => resolve(this.closeCode)));
  }

  private closeCode = 1006;

  static async open(port: number, path = '/ws'): Promise<RawWsClient> {
    const { status, client, statusLine } = await RawWsClient.attempt(port, { path });
    if (!client) throw new Error(`upgrade refused: ${statusLine} (${status})`);
    return client;
  }

  /**
   * Sends an upgrade request (with extra headers, e.g. `X-Forwarded-For`) and resolves with the
   * HTTP status; the client is there only when the server answered 101. A refused socket is closed.
   */
  static async attempt(
    port: number,
    opts: { path?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; statusLine: string; client?: RawWsClient }> {
    const socket = new net.Socket();
    await new Promise<void>(resolve => socket.connect(port, '127.0.0.1', resolve));
    const client = new RawWsClient(socket);
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
    const extra = Object.entries(opts.headers ?? {}).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    const statusLine = await new Promise<string>(resolve => {
      let head = '';
      const onData = (chunk: Buffer) => {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.off('data', onData);
        if (head.startsWith('HTTP/1.1 101')) {
          client.buffered = Buffer.from(head.slice(end + 4), 'latin1');
          socket.on('data', (c: Buffer) => client.onData(c));
        }
        resolve(head.split('\r\n')[0]!);
      };
      socket.on('data', onData);
      socket.write(
        `GET ${opts.path ?? '/ws'} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
      );
    });
    const status = Number(statusLine.split(' ')[1]);
    if (status === 101) return { status, statusLine, client };
    socket.destroy();
    return { status, statusLine };
  }

  /** Sends one masked frame with the given opcode (1 text, 2 binary). */
  sendFrame(payload: Buffer, opcode = 1): void {
    const mask = crypto.getRandomValues(new Uint8Array(4));
    const len = payload.length;
    const header = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff]);
    const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
    this.socket.write(Buffer.concat([header, Buffer.from(mask), body]));
  }

  sendJson(message: unknown): void {
    this.sendFrame(Buffer.from(JSON.stringify(message)));
  }

  /** Resolves with the first text frame containing `needle`. */
  waitFor(needle: string): Promise<string> {
    return new Promise(resolve => {
      const listener = (text: string) => {
        if (!text.includes(needle)) return;
        this.listeners = this.listeners.filter(l => l !== listener);
        resolve(text);
      };
      this.listeners.push(listener);
    });
  }

  /** Calls `listener` with every text frame from now on; returns what stops it. */
  onText(listener: (text: string) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter(l => l !== listener);
    };
  }

  /** Stops reading from the socket: the server's frames pile up in its buffers (backpressure). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 2) {
      const opcode = this.buffered[0]! & 0x0f;
      let len = this.buffered[1]! & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (this.buffered.length < 4) return;
        len = this.buffered.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (this.buffered.length < 10) return;
        len = Number(this.buffered.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffered.length < offset + len) return;
      const payload = this.buffered.subarray(offset, offset + len);
      this.buffered = this.buffered.subarray(offset + len);
      if (opcode === 8 && payload.length >= 2) this.closeCode = payload.readUInt16BE(0);
      if (opcode === 1) for (const l of [...this.listeners]) l(payload.toString('utf8'));
    }
  }
}
