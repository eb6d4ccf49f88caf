import { afterEach, describe, expect, test } from 'bun:test';
import { WebSocketCloseCodes } from '../../src';
import { WebSocketClient, WebSocketClientConnectionStates } from '../../src/client';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';
import { nextEvent, recordEvents, sleep } from '../support/client-events';

let node: ITestNode | undefined;
let client: WebSocketClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await node?.stop();
  node = undefined;
});

describe('WebSocketClient: heartbeat', () => {
  test('heartbeats keep an idle client alive past a short server heartbeatTimeout', async () => {
    node = await startNode({ heartbeatTimeout: 600, heartbeatInterval: 100 });
    const started = Date.now();
    client = new WebSocketClient({ url: node.url, auth: () => ({ token: 'ok' }), heartbeatIntervalMs: 150 });
    const events = recordEvents(client, ['disconnected', 'reconnecting']);
    const { id } = await client.connect();
    // A silent raw client on the same server proves the sweep really runs and closes with 4002.
    const silent = await TestClient.connect(node.url);

    expect((await silent.closed).code).toBe(WebSocketCloseCodes.HEARTBEAT_TIMEOUT);
    // Stay idle until ~1.5 s have passed: more than two timeouts' worth of sweeps.
    await sleep(Math.max(0, 1_500 - (Date.now() - started)));

    expect(events).toEqual([]);
    expect(client.state).toBe(WebSocketClientConnectionStates.OPEN);
    expect(client.id).toBe(id);
    expect(node.helper.getClients({ id })).toBeDefined();
    const ping = nextEvent(client, 'still-there');
    node.helper.sendToClient({ clientId: id, event: 'still-there', data: true });
    expect(await ping).toBe(true);
  });
});
