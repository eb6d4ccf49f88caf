/**
 * Small helpers for the client tests: await one event of a `WebSocketClient` with a deadline, and
 * a real WebSocket subclass that records every raw frame so tests can look at the wire.
 */
import type { WebSocketClient } from '../../src/client';

/** Resolves with the data of the next `event` (matching `where`), or rejects after `timeoutMs`. */
export const nextEvent = <T = any>(
  client: WebSocketClient<any, any>,
  event: string,
  opts: { timeoutMs?: number; where?: (data: T) => boolean } = {},
): Promise<T> => {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for client event '${event}'`));
    }, timeoutMs);
    const off = client.on(event as never, ((data: T) => {
      if (opts.where && !opts.where(data)) return;
      clearTimeout(timer);
      off();
      resolve(data);
    }) as never);
  });
};

/** Records every lifecycle/server event a client emits, in order. */
export const recordEvents = (client: WebSocketClient<any, any>, events: string[]): { event: string; data: any }[] => {
  const seen: { event: string; data: any }[] = [];
  for (const event of events) client.on(event as never, ((data: unknown) => seen.push({ event, data })) as never);
  return seen;
};

/** The global WebSocket, keeping every frame it receives in `frames` (shared across instances). */
export const recordingWebSocket = () => {
  const frames: string[] = [];
  class RecordingWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      this.addEventListener('message', ev => frames.push(String(ev.data)));
    }
  }
  return { frames, RecordingWebSocket };
};

/** Waits `ms`; only where a test must prove that something does NOT happen for a while. */
export const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));
