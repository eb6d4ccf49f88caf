/**
 * Caps at upgrade time on sockets that have not authenticated yet (per address: 429, per node:
 * 503), and the client address behind a trusted proxy (X-Forwarded-For / Forwarded), which the
 * per-address caps count under. Real server, raw TCP upgrades from 127.0.0.1.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { WebSocketCloseCodes, WebSocketServerHelper, type IWebSocketData, type IWebSocketProtectionOptions } from '../../src';
import { RawWsClient } from '../support/raw-ws';
import { startNode, type ITestNode } from '../support/server';

let node: ITestNode | undefined;
const open: RawWsClient[] = [];
afterEach(async () => {
  for (const raw of open.splice(0)) raw.destroy();
  await node?.stop();
  node = undefined;
});

/** A node with these protection options; `removed()` resolves when the next connection has ended. */
const start = async (protection: IWebSocketProtectionOptions, authTimeout?: number) => {
  let onRemoved: (() => void)[] = [];
  node = await startNode({
    protection,
    ...(authTimeout === undefined ? {} : { authTimeout }),
    clientRemovedFn: () => {
      const waiters = onRemoved;
      onRemoved = [];
      for (const resolve of waiters) resolve();
    },
  });
  return { removed: () => new Promise<void>(resolve => onRemoved.push(resolve)) };
};

/** One upgrade from 127.0.0.1 with these headers: its HTTP status (the socket is kept open when 101). */
const upgrade = async (headers: Record<string, string> = {}): Promise<number> => {
  const { status, client } = await RawWsClient.attempt(node!.port, { headers });
  if (client) open.push(client);
  return status;
};

const authenticate = async (raw: RawWsClient): Promise<void> => {
  raw.sendJson({ event: 'authenticate', data: { token: 'ok' } });
  await raw.waitFor('"connected"');
};

describe('unauthenticated sockets per address', () => {
  test('with the defaults one address holds 64 unauthenticated sockets; the 65th upgrade gets 429', async () => {
    await start({});
    const statuses: number[] = [];
    // Bounded: far past the default, stopping at the first refusal.
    for (let i = 0; i < 200; i++) {
      statuses.push(await upgrade());
      if (statuses.at(-1) !== 101) break;
    }
    const held = statuses.filter(s => s === 101).length;
    console.log(`[figures] unauthenticated sockets one address holds with the defaults: ${held} (upgrade ${held + 1} answered ${statuses.at(-1)})`);
    expect(held).toBe(64);
    expect(statuses.at(-1)).toBe(429);
    expect(node!.helper.getClients().size).toBe(64);
  });

  test('the (cap+1)th is refused with 429; authenticating frees a slot, and so does closing', async () => {
    const { removed } = await start({ maxUnauthenticatedPerIp: 3, maxUnauthenticated: 100 });
    expect([await upgrade(), await upgrade(), await upgrade()]).toEqual([101, 101, 101]);
    expect(await upgrade()).toBe(429);

    await authenticate(open[0]!);
    expect(await upgrade()).toBe(101);
    expect(await upgrade()).toBe(429);

    const gone = removed();
    open[1]!.destroy();
    await gone;
    expect(await upgrade()).toBe(101);
    expect(await upgrade()).toBe(429);
    // The authenticated socket is still served, and only the unauthenticated ones were counted.
    expect(node!.helper.getClients().size).toBe(4);
  });

  test('a socket closed by the auth timeout (4001) frees its slot', async () => {
    const { removed } = await start({ maxUnauthenticatedPerIp: 1 }, 150);
    expect(await upgrade()).toBe(101);
    expect(await upgrade()).toBe(429);
    const gone = removed();
    expect(await open[0]!.closed).toBe(WebSocketCloseCodes.AUTH_TIMEOUT);
    await gone;
    expect(await upgrade()).toBe(101);
  });
});

describe('unauthenticated sockets per node', () => {
  test('past maxUnauthenticated the upgrade gets 503, whatever the address; authenticating frees a slot', async () => {
    await start({ maxUnauthenticated: 2, maxUnauthenticatedPerIp: 10, trustedProxies: ['127.0.0.1'] });
    expect(await upgrade({ 'X-Forwarded-For': '198.51.100.1' })).toBe(101);
    expect(await upgrade({ 'X-Forwarded-For': '198.51.100.2' })).toBe(101);
    expect(await upgrade({ 'X-Forwarded-For': '198.51.100.3' })).toBe(503);
    await authenticate(open[0]!);
    expect(await upgrade({ 'X-Forwarded-For': '198.51.100.3' })).toBe(101);
    expect(await upgrade({ 'X-Forwarded-For': '198.51.100.4' })).toBe(503);
  });
});

describe('client address behind a trusted proxy', () => {
  test('from a trusted peer, X-Forwarded-For names the client: right-most untrusted hop, client-written hops ignored', async () => {
    await start({ maxUnauthenticatedPerIp: 2, trustedProxies: ['10.0.0.0/8', '127.0.0.1/32'] });
    expect(await upgrade({ 'X-Forwarded-For': '203.0.113.5' })).toBe(101);
    // A hop the client wrote itself (left of what the proxy appended) changes nothing.
    expect(await upgrade({ 'X-Forwarded-For': '192.0.2.77, 203.0.113.5' })).toBe(101);
    expect(await upgrade({ 'X-Forwarded-For': '192.0.2.78, 203.0.113.5' })).toBe(429);
    // Another client behind the same proxy, also through a second trusted proxy (10.1.2.3).
    expect(await upgrade({ 'X-Forwarded-For': '203.0.113.6, 10.1.2.3' })).toBe(101);
  });

  test('from a trusted peer without X-Forwarded-For, `Forwarded: for=` names the client (quotes, brackets and ports removed)', async () => {
    await start({ maxUnauthenticatedPerIp: 1, trustedProxies: ['127.0.0.1'] });
    expect(await upgrade({ Forwarded: 'for="[2001:db8:cafe::17]:4711";proto=https' })).toBe(101);
    expect(await upgrade({ Forwarded: 'for=198.51.100.9, for="[2001:db8:cafe::17]"' })).toBe(429);
    expect(await upgrade({ Forwarded: 'for=198.51.100.9:1234' })).toBe(101);
  });

  test('from an untrusted peer, X-Forwarded-For is ignored: every socket counts under the peer address', async () => {
    await start({ maxUnauthenticatedPerIp: 2, trustedProxies: ['10.0.0.0/8'] });
    expect(await upgrade({ 'X-Forwarded-For': '203.0.113.1' })).toBe(101);
    expect(await upgrade({ 'X-Forwarded-For': '203.0.113.2' })).toBe(101);
    expect(await upgrade({ 'X-Forwarded-For': '203.0.113.3' })).toBe(429);
  });

  test('maxConnectionsPerIp counts under the forwarded address too, and still counts authenticated sockets', async () => {
    await start({ maxConnectionsPerIp: 1, trustedProxies: ['127.0.0.1'] });
    expect(await upgrade({ 'X-Forwarded-For': '203.0.113.1' })).toBe(101);
    await authenticate(open[0]!);
    expect(await upgrade({ 'X-Forwarded-For': '203.0.113.1' })).toBe(429);
    expect(await upgrade({ 'X-Forwarded-For': '203.0.113.2' })).toBe(101);
  });

  test('a trustedProxies entry that is not an address or CIDR fails at construction, naming it', () => {
    const server = Bun.serve<IWebSocketData>({ hostname: '127.0.0.1', port: 0, fetch: () => new Response('unused') });
    try {
      const helperWith = (trustedProxies: string[]) =>
        new WebSocketServerHelper({ identifier: 'bad-proxies', server, authenticateFn: () => null, protection: { trustedProxies } });
      expect(() => helperWith(['10.0.0.0/33'])).toThrow("protection.trustedProxies: '10.0.0.0/33'");
      expect(() => helperWith(['proxy.internal'])).toThrow("'proxy.internal'");
      expect(() => helperWith(['10.0.0.0/8', '::1', '2001:db8::/32', '::ffff:192.0.2.0/120'])).not.toThrow();
    } finally {
      server.stop(true);
    }
  });
});
