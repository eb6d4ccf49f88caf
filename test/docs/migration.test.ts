/**
 * wiki/migration.md says what stays the same as the upstream Ignis WebSocket component: the
 * binding-key strings and the protocol words (events, client states, message types, channels,
 * defaults). This compares them with the upstream packages themselves (installed as dev
 * dependencies), so a rename on either side fails here instead of in a mixed fleet.
 */
import { expect, test } from 'bun:test';
import * as upstreamIgnis from '@venizia/ignis';
import * as upstreamHelpers from '@venizia/ignis-helpers';
import * as ours from '../../src';

/** The static string / number fields of a constant class (not its helper sets and methods). */
const constants = (cls: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(cls).filter(([, value]) => typeof value === 'string' || typeof value === 'number'));

test('every upstream binding key has the same string here', () => {
  const upstream = constants(upstreamIgnis.WebSocketBindingKeys);
  expect(Object.keys(upstream).length).toBeGreaterThanOrEqual(10);
  expect(constants(ours.WebSocketBindingKeys)).toMatchObject(upstream);
});

test.each(['WebSocketEvents', 'WebSocketChannels', 'WebSocketClientStates', 'WebSocketMessageTypes', 'WebSocketDefaults'] as const)(
  'every upstream %s value is the same here',
  name => {
    const upstream = constants(upstreamHelpers[name]);
    expect(Object.keys(upstream).length).toBeGreaterThan(0);
    expect(constants(ours[name])).toMatchObject(upstream);
  },
);

test('the channel helpers build the same names', () => {
  const args = { room: 'r1', clientId: 'c1', userId: 'u1' };
  expect(ours.WebSocketChannels.forRoom(args)).toBe(upstreamHelpers.WebSocketChannels.forRoom(args));
  expect(ours.WebSocketChannels.forClient(args)).toBe(upstreamHelpers.WebSocketChannels.forClient(args));
  expect(ours.WebSocketChannels.forUser(args)).toBe(upstreamHelpers.WebSocketChannels.forUser(args));
});
