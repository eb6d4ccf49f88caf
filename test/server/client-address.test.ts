/**
 * ClientAddress: which address an upgrade counts under, for every shape of peer and header the
 * real-server tests in upgrade-caps.test.ts do not reach from 127.0.0.1.
 */
import { describe, expect, test } from 'bun:test';
import { ClientAddress, parseIp } from '../../src/server/client-address';

const headers = (init: Record<string, string>) => new Headers(init);

describe('ClientAddress', () => {
  test('without trusted proxies the peer is the address, whatever the headers say', () => {
    const none = new ClientAddress([]);
    expect(none.resolve('192.0.2.1', headers({ 'x-forwarded-for': '203.0.113.9' }))).toBe('192.0.2.1');
    expect(none.resolve(undefined, headers({ 'x-forwarded-for': '203.0.113.9' }))).toBeUndefined();
  });

  test('a peer in an IPv4 CIDR is trusted, also as an IPv4-mapped IPv6 address (a dual-stack listener)', () => {
    const proxies = new ClientAddress(['10.0.0.0/8']);
    const forwarded = headers({ 'x-forwarded-for': '203.0.113.9' });
    expect(proxies.resolve('10.20.30.40', forwarded)).toBe('203.0.113.9');
    expect(proxies.resolve('::ffff:10.20.30.40', forwarded)).toBe('203.0.113.9');
    expect(proxies.resolve('11.0.0.1', forwarded)).toBe('11.0.0.1');
  });

  test('IPv6 proxies and hops: CIDR prefixes, ::1, brackets and ports in Forwarded', () => {
    const proxies = new ClientAddress(['2001:db8::/32', '::1', 'fd00::1:0/112']);
    expect(proxies.resolve('2001:db8:ffff::7', headers({ 'x-forwarded-for': '2001:db9::1' }))).toBe('2001:db9::1');
    expect(proxies.resolve('::1', headers({ forwarded: 'for="[2001:db9::2]:443"' }))).toBe('2001:db9::2');
    expect(proxies.resolve('fd00::1:abcd', headers({ 'x-forwarded-for': '192.0.2.5' }))).toBe('192.0.2.5');
    expect(proxies.resolve('fd00::2:abcd', headers({ 'x-forwarded-for': '192.0.2.5' }))).toBe('fd00::2:abcd');
  });

  test('the right-most untrusted hop wins; when every hop is a proxy, the left-most; with no header, the peer', () => {
    const proxies = new ClientAddress(['10.0.0.0/8']);
    expect(proxies.resolve('10.0.0.1', headers({ 'x-forwarded-for': '1.1.1.1, 203.0.113.9, 10.0.0.2, 10.0.0.3' }))).toBe('203.0.113.9');
    expect(proxies.resolve('10.0.0.1', headers({ 'x-forwarded-for': '10.0.0.5, 10.0.0.2' }))).toBe('10.0.0.5');
    expect(proxies.resolve('10.0.0.1', headers({}))).toBe('10.0.0.1');
    expect(proxies.resolve('10.0.0.1', headers({ 'x-forwarded-for': ' ' }))).toBe('10.0.0.1');
  });

  test('X-Forwarded-For is read before Forwarded; Forwarded takes for= from every element, in order', () => {
    const proxies = new ClientAddress(['10.0.0.0/8']);
    const both = headers({ 'x-forwarded-for': '203.0.113.1', forwarded: 'for=203.0.113.2' });
    expect(proxies.resolve('10.0.0.1', both)).toBe('203.0.113.1');
    const chain = headers({ forwarded: 'for=203.0.113.3;proto=https, FOR=10.0.0.9;by=10.0.0.1' });
    expect(proxies.resolve('10.0.0.1', chain)).toBe('203.0.113.3');
  });

  test('parseIp reads IPv4, IPv6 (compressed, embedded IPv4, zone) and refuses the rest', () => {
    expect([...parseIp('192.0.2.1')!]).toEqual([192, 0, 2, 1]);
    expect([...parseIp('::ffff:192.0.2.1')!]).toEqual([192, 0, 2, 1]);
    expect(parseIp('::1')!.length).toBe(16);
    expect(parseIp('fe80::1%eth0')!.length).toBe(16);
    expect(parseIp('64:ff9b::192.0.2.1')![15]).toBe(1);
    for (const bad of ['256.0.0.1', '1.2.3', '1::2::3', '1:2:3:4:5:6:7:8:9', 'proxy', '', '01.2.3.4.5']) expect([bad, parseIp(bad)]).toEqual([bad, undefined]);
  });
});
