/**
 * `routeInbound`: where a validated envelope from another node may go. The cross-node suite
 * checks it end to end on every backend; here are the channels no node ever subscribes to, which
 * a real broker therefore cannot deliver. And the control commands of `ws:control`: what
 * validates, and that a command is never taken for a client message or the other way round.
 */
import { describe, expect, test } from 'bun:test';
import { buildDisconnectCommand, decodeEnvelope, encodeEnvelope, routeInbound } from '../../src/broker/envelope';
import { WebSocketChannels, WebSocketCloseCodes, WebSocketEvents, type IRedisSocketMessage } from '../../src';

const message = (fields: Partial<IRedisSocketMessage>): IRedisSocketMessage => ({ serverId: 'emitter', type: 'broadcast', event: 'e', data: 1, ...fields });

describe('routeInbound', () => {
  test("the contract's envelope on the contract's channel is routed by the channel", () => {
    expect(routeInbound(WebSocketChannels.BROADCAST, message({}))).toEqual({ route: { type: 'broadcast', target: undefined } });
    for (const [channel, type, target] of [
      [WebSocketChannels.forRoom({ room: 'a:b' }), 'room', 'a:b'],
      [WebSocketChannels.forClient({ clientId: 'c1' }), 'client', 'c1'],
      [WebSocketChannels.forUser({ userId: 'u1' }), 'user', 'u1'],
    ] as const) {
      expect(routeInbound(channel, message({ type, target }))).toEqual({ route: { type, target } });
    }
  });

  test('a channel that is none of the contract\'s, or names no target, is refused', () => {
    for (const channel of ['other', 'ws:broadcast:x', 'ws:room:', 'ws:client:', 'ws:user:', 'ws:rooms:a', 'ws:internal:broadcast']) {
      expect(routeInbound(channel, message({ type: 'room', target: '' }))).toEqual({ refused: 'unknown-channel' });
    }
  });

  test('every built-in event and every reply is refused, whatever the channel', () => {
    for (const event of [...WebSocketEvents.SCHEME_SET, 'ping:reply']) {
      expect(routeInbound(WebSocketChannels.BROADCAST, message({ event }))).toEqual({ refused: 'reserved-event' });
    }
    expect(routeInbound(WebSocketChannels.BROADCAST, message({ event: 'reply' }))).toHaveProperty('route');
  });

  test('presence:join / presence:leave pass only as a room message on that room\'s channel', () => {
    const room = WebSocketChannels.forRoom({ room: 'lobby' });
    for (const event of [WebSocketEvents.PRESENCE_JOIN, WebSocketEvents.PRESENCE_LEAVE]) {
      expect(routeInbound(room, message({ type: 'room', target: 'lobby', event }))).toEqual({ route: { type: 'room', target: 'lobby' } });
      expect(routeInbound(room, message({ type: 'room', target: 'other', event }))).toEqual({ refused: 'channel-mismatch' });
      expect(routeInbound(WebSocketChannels.forUser({ userId: 'u' }), message({ type: 'user', target: 'u', event }))).toEqual({ refused: 'reserved-event' });
      expect(routeInbound(WebSocketChannels.forClient({ clientId: 'c' }), message({ type: 'client', target: 'c', event }))).toEqual({ refused: 'reserved-event' });
    }
  });
});

describe('control commands', () => {
  const kick = buildDisconnectCommand('node-1', { userId: 'u1' });

  test('a disconnect command round-trips, defaults to 4007, and is routed only from ws:control', () => {
    expect(kick).toEqual({ serverId: 'node-1', type: 'control', action: 'disconnect', userId: 'u1', code: WebSocketCloseCodes.KICKED, reason: 'Disconnected by the server' });
    expect(decodeEnvelope(encodeEnvelope(kick))).toEqual(kick);
    expect(routeInbound(WebSocketChannels.CONTROL, kick)).toEqual({ control: kick });
    for (const channel of [WebSocketChannels.BROADCAST, WebSocketChannels.forUser({ userId: 'u1' }), WebSocketChannels.forClient({ clientId: 'c' }), 'other']) {
      expect(routeInbound(channel, kick)).toEqual({ refused: 'channel-mismatch' });
    }
  });

  test('ws:control carries commands only: a client message there is refused, even a well-formed broadcast', () => {
    expect(routeInbound(WebSocketChannels.CONTROL, message({}))).toEqual({ refused: 'channel-mismatch' });
  });

  test('an invalid command does not decode at all, and never as a client message', () => {
    const raw = (fields: Record<string, unknown>) => JSON.stringify({ ...kick, ...fields });
    for (const text of [
      raw({ code: 1001 }),
      raw({ code: 999 }),
      raw({ code: 5000 }),
      raw({ code: '4007' }),
      raw({ reason: 'é'.repeat(62) }), // 124 UTF-8 bytes
      raw({ clientId: 'c1' }),
      raw({ userId: undefined }),
      raw({ action: 'flush' }),
      raw({ extra: 1 }),
      raw({ event: 'e', data: 1 }), // a client message's fields on a command
    ]) {
      expect([text, decodeEnvelope(text)]).toEqual([text, undefined]);
    }
    expect(decodeEnvelope(raw({ reason: 'é'.repeat(61) }))).toMatchObject({ type: 'control' });
  });

  test('buildDisconnectCommand refuses what receivers would refuse, with what to change', () => {
    expect(buildDisconnectCommand('n', { clientId: 'c1', code: 1000, reason: 'bye' })).toMatchObject({ clientId: 'c1', code: 1000, reason: 'bye' });
    for (const target of [{}, { clientId: 'c', userId: 'u' }, { userId: '' }, { userId: 'u', code: 1001 }, { userId: 'u', reason: 'x'.repeat(124) }]) {
      expect(() => buildDisconnectCommand('n', target)).toThrow('Pass { clientId } or { userId }');
    }
  });
});

describe('decodeEnvelope: client messages', () => {
  const decode = (value: unknown) => decodeEnvelope(JSON.stringify(value));

  test('a well-formed message decodes to its known fields only, positions and exclusions included', () => {
    expect(decode({ serverId: 's', type: 'room', target: 'r', event: 'e', data: { a: [1] }, extra: 'dropped' })).toEqual({
      serverId: 's',
      type: 'room',
      target: 'r',
      event: 'e',
      data: { a: [1] },
    });
    expect(decode({ serverId: 's', type: 'room', target: 'r', event: 'e', data: null, exclude: ['x'], pos: { offset: '1-0', epoch: 'ep', more: 1 } })).toEqual({
      serverId: 's',
      type: 'room',
      target: 'r',
      event: 'e',
      data: null,
      exclude: ['x'],
      pos: { offset: '1-0', epoch: 'ep' },
    });
    expect(decode({ serverId: 's', type: 'broadcast', event: 'e' })).toEqual({ serverId: 's', type: 'broadcast', event: 'e', data: undefined });
  });

  test('every field the contract constrains is checked: a wrong one makes the whole message malformed', () => {
    const good = { serverId: 's', type: 'room', target: 'r', event: 'e', data: 1 };
    for (const bad of [
      { ...good, serverId: '' },
      { ...good, serverId: 1 },
      { ...good, type: 'rooms' },
      { ...good, target: undefined },
      { ...good, target: 7 },
      { ...good, target: null },
      { ...good, event: '' },
      { ...good, event: ['e'] },
      { ...good, exclude: 'x' },
      { ...good, exclude: ['x', 2] },
      { ...good, pos: { offset: '1-0' } },
      { ...good, pos: { offset: '', epoch: 'ep' } },
      { ...good, pos: ['1-0', 'ep'] },
      { ...good, pos: null },
      [good],
      'text',
      null,
    ]) {
      expect(decode(bad)).toBeUndefined();
    }
  });
});
