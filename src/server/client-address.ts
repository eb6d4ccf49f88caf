/**
 * The address an upgrade is counted under for per-address limits: the TCP peer, unless the peer
 * is one of `protection.trustedProxies`; then the right-most hop of `X-Forwarded-For` (else of
 * `Forwarded: for=`) that is not itself a trusted proxy. Hops to the left of that one were written
 * by the client and are never read. Docs: wiki/protection.md#behind-a-proxy
 */
import { getError } from '@venizia/ignis-helpers';

/** One trusted address or CIDR: its bytes (4 for IPv4, 16 for IPv6) and prefix length. */
interface INetwork {
  bytes: Uint8Array;
  bits: number;
}

/** Longest hop kept as a key: a proxy never writes more, and the key map must not hold large strings. */
const MAX_HOP_LENGTH = 64;

const parseIpv4 = (text: string): Uint8Array | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    bytes[i] = Number(part);
  }
  return bytes;
};

const parseIpv6 = (text: string): Uint8Array | undefined => {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const words: number[] = [];
  const push = (list: string[], allowV4Last: boolean): boolean => {
    for (let i = 0; i < list.length; i++) {
      const group = list[i]!;
      if (allowV4Last && i === list.length - 1 && group.includes('.')) {
        const v4 = parseIpv4(group);
        if (!v4) return false;
        words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-f]{1,4}$/i.test(group)) words.push(parseInt(group, 16));
      else return false;
    }
    return true;
  };
  if (!push(head, halves.length === 1)) return undefined;
  const headWords = words.length;
  if (!push(tail, true)) return undefined;
  const missing = 8 - words.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  words.splice(headWords, 0, ...new Array<number>(missing).fill(0));
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[i * 2] = word >> 8;
    bytes[i * 2 + 1] = word & 0xff;
  });
  return bytes;
};

/** An IP address as 4 or 16 bytes (IPv4-mapped IPv6 as 4), or undefined when `text` is not one. */
export const parseIp = (text: string): Uint8Array | undefined => {
  if (!text.includes(':')) return parseIpv4(text);
  const v6 = parseIpv6(text.split('%')[0]!);
  const mapped = v6 && v6.subarray(0, 10).every(b => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? v6.slice(12) : v6;
};

const parseNetwork = (entry: string): INetwork | undefined => {
  const [address, prefix, extra] = entry.trim().split('/');
  const bytes = parseIp(address ?? '');
  if (!bytes || extra !== undefined) return undefined;
  if (prefix === undefined) return { bytes, bits: bytes.length * 8 };
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  // A mapped IPv4 with an IPv6 prefix (::ffff:10.0.0.0/104) keeps its IPv4 meaning.
  const v4Bits = bytes.length === 4 && address!.includes(':') ? bits - 96 : bits;
  if (!(v4Bits >= 0 && v4Bits <= bytes.length * 8)) return undefined;
  return { bytes, bits: v4Bits };
};

const inNetwork = (bytes: Uint8Array, network: INetwork): boolean => {
  if (bytes.length !== network.bytes.length) return false;
  const whole = network.bits >> 3;
  for (let i = 0; i < whole; i++) if (bytes[i] !== network.bytes[i]) return false;
  const rest = network.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (bytes[whole]! & mask) === (network.bytes[whole]! & mask);
};

/** The address of one hop: quotes, `[...]` and a port removed (`"[2001:db8::1]:4711"`, `192.0.2.1:80`). */
const hostOf = (hop: string): string => {
  let text = hop.trim();
  if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) text = text.slice(1, -1);
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    text = end === -1 ? text.slice(1) : text.slice(1, end);
  } else if (text.indexOf(':') !== -1 && text.indexOf(':') === text.lastIndexOf(':')) {
    text = text.slice(0, text.indexOf(':'));
  }
  return text.slice(0, MAX_HOP_LENGTH);
};

/** The `for=` values of a `Forwarded` header, in order (RFC 7239). */
const forwardedFor = (header: string): string[] => {
  const hops: string[] = [];
  for (const element of header.split(',')) {
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq !== -1 && pair.slice(0, eq).trim().toLowerCase() === 'for') hops.push(pair.slice(eq + 1));
    }
  }
  return hops;
};

/** Resolves the client address of an upgrade; built once from `protection.trustedProxies`. */
export class ClientAddress {
  private readonly trusted: INetwork[];

  constructor(trustedProxies: readonly string[]) {
    this.trusted = trustedProxies.map(entry => {
      const network = parseNetwork(entry);
      if (!network) {
        throw getError({ message: `protection.trustedProxies: '${entry}' is not an IP address or CIDR (e.g. '10.0.0.0/8', '::1').` });
      }
      return network;
    });
  }

  /** The address to count under: `peer`, or the client a trusted peer forwarded. */
  resolve(peer: string | undefined, headers: Headers): string | undefined {
    if (peer === undefined || this.trusted.length === 0 || !this.isTrusted(peer)) return peer;
    const xff = headers.get('x-forwarded-for');
    const forwarded = xff === null ? headers.get('forwarded') : null;
    const hops = xff !== null ? xff.split(',') : forwarded !== null ? forwardedFor(forwarded) : [];
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hostOf(hops[i]!);
      if (hop !== '' && !this.isTrusted(hop)) return hop;
    }
    // Every hop is a trusted proxy (or there is none): the left-most one, else the peer itself.
    const first = hops.length > 0 ? hostOf(hops[0]!) : '';
    return first !== '' ? first : peer;
  }

  private isTrusted(address: string): boolean {
    const bytes = parseIp(address);
    return bytes !== undefined && this.trusted.some(network => inNetwork(bytes, network));
  }
}
