/**
 * protection.maxJsonDepth: a frame nesting arrays/objects deeper than the limit is refused with
 * TOO_DEEP before it is parsed; the socket stays usable and a frame at the limit passes.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { WebSocketErrorCodes } from '../../src';
import { nestsDeeperThan } from '../../src/server/envelope';
import { startNode, type ITestNode } from '../support/server';
import { TestClient } from '../support/ws-client';

let node: ITestNode | undefined;
afterEach(async () => {
  await node?.stop();
  node = undefined;
});

/** `{"event":"echo","data":[[…0…]]}` nesting `depth` levels in all, the envelope object being 1. */
const frameOfDepth = (depth: number): string => `{"event":"echo","data":${'['.repeat(depth - 1)}0${']'.repeat(depth - 1)}}`;

/** A node whose message handler sends every `echo` back to its sender, as an app relaying client data does. */
const startEchoNode = (protection: { maxJsonDepth?: number } = {}) =>
  startNode({
    protection,
    messageHandler: ({ clientId, message }) => node!.helper.sendToClient({ clientId, event: 'echo', data: message.data }),
  });

describe('protection.maxJsonDepth', () => {
  test('with the default (32), a 33-deep frame is answered TOO_DEEP, the socket stays usable and a 32-deep frame passes', async () => {
    node = await startEchoNode();
    const client = await TestClient.connect(node.url);
    client.send(frameOfDepth(33));
    const refused = await client.next('error');
    expect(refused.data.code).toBe(WebSocketErrorCodes.TOO_DEEP);
    expect(refused.data.message).toContain('32');
    expect(client.all('echo')).toHaveLength(0);

    client.send(frameOfDepth(32));
    const echoed = await client.next('echo');
    expect(echoed.data).toEqual(JSON.parse(frameOfDepth(32)).data);
    expect(client.readyState).toBe(WebSocket.OPEN);
    expect(client.all('error')).toHaveLength(1);
    await client.close();
  });

  test('brackets inside strings (escaped quotes included) do not count', async () => {
    node = await startEchoNode({ maxJsonDepth: 3 });
    const client = await TestClient.connect(node.url);
    const text = `\\"${'['.repeat(50)}"{{{`;
    client.send({ event: 'echo', data: [{ text }] });
    expect((await client.next('echo')).data).toEqual([{ text }]);
    client.send({ event: 'echo', data: [{ deeper: [text] }] });
    expect((await client.next('error')).data.code).toBe(WebSocketErrorCodes.TOO_DEEP);
    await client.close();
  });

  test('the attack frame (≈120 KB of nested arrays) is refused, and another client is served right after', async () => {
    node = await startEchoNode();
    const attacker = await TestClient.connect(node.url);
    const control = await TestClient.connect(node.url);
    const attack = frameOfDepth(60_000);
    expect(attack.length).toBeGreaterThan(119_000);
    for (let i = 0; i < 10; i++) attacker.send(attack);
    for (let i = 0; i < 10; i++) expect((await attacker.next('error')).data.code).toBe(WebSocketErrorCodes.TOO_DEEP);
    control.send({ event: 'echo', data: 'still served' });
    expect((await control.next('echo')).data).toBe('still served');
    expect(attacker.all('echo')).toHaveLength(0);
    await attacker.close();
    await control.close();
  });

  test('a configured limit applies instead of the default, and 0 turns the limit off', async () => {
    node = await startEchoNode({ maxJsonDepth: 5 });
    const limited = await TestClient.connect(node.url);
    limited.send(frameOfDepth(6));
    expect((await limited.next('error')).data.code).toBe(WebSocketErrorCodes.TOO_DEEP);
    limited.send(frameOfDepth(5));
    expect((await limited.next('echo')).data).toEqual(JSON.parse(frameOfDepth(5)).data);
    await limited.close();
    await node.stop();

    node = await startEchoNode({ maxJsonDepth: 0 });
    const unlimited = await TestClient.connect(node.url);
    unlimited.send(frameOfDepth(100));
    expect((await unlimited.next('echo')).data).toEqual(JSON.parse(frameOfDepth(100)).data);
    expect(unlimited.all('error')).toHaveLength(0);
    await unlimited.close();
  });
});

describe('nestsDeeperThan', () => {
  test('counts [ and { outside strings only, honouring escapes', () => {
    expect(nestsDeeperThan('{"a":[1,{"b":2}]}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":[1,{"b":[2]}]}', 3)).toBe(true);
    expect(nestsDeeperThan('{"a":"[[[[{{{{"}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\"[[[["}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\\\","b":[[1]]}', 2)).toBe(true);
    expect(nestsDeeperThan('[[1],[2],[3]]', 2)).toBe(false);
    expect(nestsDeeperThan('{"a":"\\\\\\"[[[","b":1}', 1)).toBe(false); // \\ then \" inside the string
    expect(nestsDeeperThan('{"a":"[[[[', 1)).toBe(false); // unterminated: JSON.parse refuses it
  });

  test('agrees with the real depth of 2 000 generated documents', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const texts = ['', '[', ']', '{', '}', '"', '\\', '\\"', 'x'];
    const value = (level: number): unknown => {
      const pick = random();
      if (level > 12 || pick < 0.3) return Array.from({ length: 1 + Math.floor(random() * 3) }, () => texts[Math.floor(random() * texts.length)]).join('');
      if (pick < 0.4) return Math.floor(random() * 100);
      const children = Array.from({ length: Math.floor(random() * 4) }, () => value(level + 1));
      return pick < 0.7 ? children : Object.fromEntries(children.map((child, i) => [`k${i}${texts[i % texts.length]}`, child]));
    };
    const depthOf = (v: unknown): number =>
      v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v as object).map(depthOf)) : 0;
    for (let n = 0; n < 2_000; n++) {
      const doc = { event: 'e', data: value(0) };
      const text = JSON.stringify(doc);
      const depth = depthOf(doc);
      expect([text, nestsDeeperThan(text, depth)]).toEqual([text, false]);
      expect([text, nestsDeeperThan(text, depth - 1)]).toEqual([text, true]);
    }
  });
});
