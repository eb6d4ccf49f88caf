/**
 * Load for `heap.ts`: opens `count` clients (at most `window` handshakes in flight), authenticates
 * each, prints `held <n>` once all are connected and keeps them open until its stdin closes.
 *
 * Usage: bun bench/profile/hold.ts <ws url> <count> [window]
 */
import { tokenFor } from '../lib/protocol';

const [url, countArg, windowArg] = process.argv.slice(2);
const count = Number(countArg);
const window = Number(windowArg ?? 256);
const CONNECT_TIMEOUT_MS = 60_000;

const sockets: WebSocket[] = [];
let connected = 0;
let next = 0;
await new Promise<void>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`only ${connected}/${count} connected`)), CONNECT_TIMEOUT_MS);
  const open = (): void => {
    if (next >= count) return;
    const ws = new WebSocket(url!);
    const n = next++;
    sockets.push(ws);
    ws.onopen = () => ws.send(JSON.stringify({ event: 'authenticate', data: { type: 'Bearer', token: tokenFor(n) } }));
    ws.onmessage = event => {
      if (!String(event.data).includes('"connected"')) return;
      ws.onmessage = null;
      if (++connected === count) {
        clearTimeout(timer);
        resolve();
      }
      open();
    };
  };
  for (let i = 0; i < Math.min(window, count); i++) open();
});
console.log(`held ${connected}`);
// Until the caller closes stdin.
await Bun.stdin.text();
for (const ws of sockets) ws.close();
process.exit(0);
