/** Loopback helpers: free ports and small HTTP calls to the targets' bench routes. */
import { createServer } from 'node:net';

/** Every socket the benchmark opens goes to this address. */
export const LOOPBACK = '127.0.0.1';

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });

/** `fetch` with a deadline; resolves to the parsed JSON body or throws. */
export const fetchJson = async <T = unknown>(url: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<T> => {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} -> ${response.status}`);
  return (await response.json()) as T;
};

/** Sleeps for `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));
