/**
 * `routeInbound`: where a validated envelope from another node may go. The cross-node suite
 * checks it end to end on every backend; here are the channels no node ever subscribes to, which
 * a real broker therefore cannot deliver.
 */
import { describe, expect, test } from 'bun:test';
import { routeInbound } from '../../src/broker/envelope';
import { WebSocketChannels, WebSocketEvents, type IRedisSocketMessage } from '../../src';

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
});
