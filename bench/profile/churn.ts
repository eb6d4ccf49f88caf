/**
 * Load for `bench/profile`: `rounds` times, opens `count` clients (at most `window` handshakes in
 * flight), authenticates each and, once all are connected, closes them all. Touches no bench
 * route, so a profile of the target shows the connection path only. Prints one line per round.
 *
 * Usage: bun bench/profile/churn.ts <ws url> <count> <rounds> [window]
 */
import { tokenFor } from '../lib/protocol';

const [url, countArg, roundsArg, windowArg] = process.argv.slice(2);
const count = Number(countArg);
const rounds = Number(roundsArg);
const window = Number(windowArg ?? 256);
const ROUND_TIMEOUT_MS = 30_000;

const round = (first: number): Promise<WebSocket[]> =>
  new Promise((resolve, reject) => {
    const sockets: WebSocket[] = [];
    let connected = 0;
    let next = 0;
    const timer = setTimeout(() => reject(new Error(`round timed out: ${connected}/${count} connected`)), ROUND_TIMEOUT_MS);
    const open = (): void => {
      if (next >= count) return;
      const n = first + next++;
      const ws = new WebSocket(url!);
      sockets.push(ws);
      ws.onopen = () => ws.send(JSON.stringify({ event: 'authenticate', data: { type: 'Bearer', token: tokenFor(n) } }));
      ws.onmessage = event => {
        if (!String(event.data).includes('"connected"')) return;
        ws.onmessage = null;
        if (++connected === count) {
          clearTimeout(timer);
          resolve(sockets);
        }
        open();
      };
    };
    for (let i = 0; i < Math.min(window, count); i++) open();
  });

for (let r = 0; r < rounds; r++) {
  const started = performance.now();
  const sockets = await round(r * count);
  const ms = performance.now() - started;
  for (const ws of sockets) ws.close();
  console.log(`round ${r + 1}/${rounds}: ${count} connected in ${ms.toFixed(0)} ms (${Math.round((count * 1000) / ms)} conn/s)`);
  await Bun.sleep(300);
}
process.exit(0);
