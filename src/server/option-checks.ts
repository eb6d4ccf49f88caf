/**
 * What `resolveServerOptions()` refuses at start-up, before anything listens: unknown option
 * names (top level and inside `serverOptions`, `protection`, `protection.rateLimit`, `broker`),
 * values of the wrong type, and numbers that make no sense (a path without a leading slash, a
 * zero or negative timeout, a heartbeat timeout not above the sweep interval, a timer longer
 * than a JavaScript timer can wait). Each problem names the option, the value and what to do.
 * Known names come from `WEBSOCKET_SERVER_DEFAULTS`, so a new option with a default is known.
 * Docs: wiki/server-helper.md#start-up-validation
 */
import { LogFormats } from '../logging/log-format.js';
import type { IResolvedTunableOptions, IWebSocketServerOptions, IWebSocketTunableOptions } from './options.js';

/** The longest delay `setTimeout` / `setInterval` honour; a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Options that are not tunable: the server, Redis and the callbacks (every key of `IWebSocketServerOptions` not in `IWebSocketTunableOptions`). */
type TNonTunableOption = Exclude<keyof IWebSocketServerOptions, keyof IWebSocketTunableOptions>;

/** The non-tunable option names, for the unknown-name check (tunable ones are the keys of `WEBSOCKET_SERVER_DEFAULTS`). */
const NON_TUNABLE_OPTIONS = [
  ...['identifier', 'server', 'redisConnection', 'events'],
  ...['authenticateFn', 'validateRoomFn', 'handshakeFn', 'clientConnectedFn', 'clientDisconnectedFn', 'clientRemovedFn', 'userPresenceFn', 'historyFn'],
  ...['messageHandler', 'outboundTransformer', 'inboundTransformer'],
] as const satisfies readonly TNonTunableOption[];

// A new callback in IWebSocketServerOptions fails to compile here, naming it, until it is listed above.
type TUnlistedOption = Exclude<TNonTunableOption, (typeof NON_TUNABLE_OPTIONS)[number]>;
export const EVERY_SERVER_OPTION_LISTED: [TUnlistedOption] extends [never] ? true : TUnlistedOption = true;

const CALLBACK_OPTIONS = NON_TUNABLE_OPTIONS.filter(name => name.endsWith('Fn') || name.endsWith('Handler') || name.endsWith('Transformer'));

type TRecord = Record<string, unknown>;

const isRecord = (value: unknown): value is TRecord => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value as the message shows it: strings quoted, functions and objects named, long text cut. */
export const showValue = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null || typeof value !== 'object') return String(value);
  const name = value.constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
};

/** Levenshtein distance, for "did you mean" (names are short, so the quadratic table is tiny). */
const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
};

/** The known name a typo most likely meant: a few edits away, or the start of it (`maxPayload`). */
const suggestion = (name: string, known: readonly string[]): string => {
  const lower = name.toLowerCase();
  const prefixOf = name.length >= 4 ? known.find(k => k.toLowerCase().startsWith(lower)) : undefined;
  const best = known.map(k => ({ k, d: distance(name, k) })).sort((x, y) => x.d - y.d)[0];
  const close = best && best.d <= Math.max(2, Math.floor(name.length / 4)) ? best.k : undefined;
  const guess = close ?? prefixOf;
  return guess ? `did you mean '${guess}'? ` : '';
};

/** Collects problems; each one a sentence naming the option, its value and what to do. */
class Problems {
  readonly list: string[] = [];

  add(name: string, value: unknown, what: string): void {
    this.list.push(`'${name}' is ${showValue(value)}: ${what}`);
  }

  unknownKeys(where: string, given: TRecord, known: readonly string[]): void {
    for (const [key, value] of Object.entries(given)) {
      if (value === undefined || known.includes(key)) continue;
      const name = where ? `${where}.${key}` : key;
      this.list.push(`'${name}' is not an option (value ${showValue(value)}): ${suggestion(key, known)}remove it or fix its name.`);
    }
  }

  /** A finite number in [min, max] (integer when asked); `undefined` passes (the default applies). */
  number(name: string, value: unknown, opts: { min: number; max?: number; integer?: boolean; unit: string; hint: string }): boolean {
    if (value === undefined) return true;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= opts.min && value <= max && (!opts.integer || Number.isInteger(value));
    if (!ok) {
      const kind = opts.integer ? 'a whole number' : 'a number';
      const range = opts.max === undefined ? `${opts.min} or more` : `from ${opts.min} to ${opts.max}`;
      this.add(name, value, `must be ${kind}${opts.unit ? ` of ${opts.unit}` : ''}, ${range}; ${opts.hint}`);
    }
    return ok;
  }

  boolean(name: string, value: unknown): void {
    if (value !== undefined && typeof value !== 'boolean') this.add(name, value, 'must be true or false.');
  }

  /** A plain object when given; false (and a problem) otherwise. */
  record(name: string, value: unknown, shape: string): value is TRecord {
    if (value === undefined) return false;
    if (isRecord(value)) return true;
    this.add(name, value, `must be an object such as ${shape}, or left out for the defaults.`);
    return false;
  }
}

const ms = { unit: 'milliseconds', integer: false } as const;
const count = { unit: 'items', integer: true } as const;

const checkPath = (p: Problems, path: unknown): void => {
  if (path === undefined) return;
  if (typeof path !== 'string' || path.length === 0) return p.add('path', path, "must be a non-empty string starting with '/', e.g. '/ws'.");
  if (!path.startsWith('/')) return p.add('path', path, `must start with '/' (it is compared with the request's path); use '/${path}'.`);
  if (/[?#\s]/.test(path)) p.add('path', path, "must be a plain path without '?', '#' or spaces, e.g. '/ws'.");
};

const checkTiming = (p: Problems, opts: TRecord, defaults: Pick<IResolvedTunableOptions, 'heartbeatInterval' | 'heartbeatTimeout'>): void => {
  const { authTimeout, heartbeatInterval, heartbeatTimeout } = opts;
  p.number('authTimeout', authTimeout, { ...ms, min: 1, max: Math.floor(MAX_TIMER_MS / 3), hint: 'the time a client has to send authenticate (3x that for authenticateFn); e.g. 5000.' });
  const intervalOk = p.number('heartbeatInterval', heartbeatInterval, { ...ms, min: 1, max: MAX_TIMER_MS, hint: 'how often silent clients are looked for; e.g. 30000.' });
  const timeoutOk = p.number('heartbeatTimeout', heartbeatTimeout, { ...ms, min: 1, hint: 'the silence after which a client is closed with 4002; e.g. 90000.' });
  if (!intervalOk || !timeoutOk) return;
  const interval = typeof heartbeatInterval === 'number' ? heartbeatInterval : defaults.heartbeatInterval;
  const timeout = typeof heartbeatTimeout === 'number' ? heartbeatTimeout : defaults.heartbeatTimeout;
  if (timeout <= interval) {
    const which = heartbeatTimeout === undefined ? 'heartbeatInterval' : 'heartbeatTimeout';
    const value = heartbeatTimeout === undefined ? heartbeatInterval : heartbeatTimeout;
    p.add(
      which,
      value,
      `heartbeatTimeout (${timeout}) must be greater than heartbeatInterval (${interval}): silence is checked once per interval, ` +
        `so a client that beats on time could be closed. Set heartbeatTimeout to about 3x heartbeatInterval (e.g. ${interval * 3}).`,
    );
  }
};

const checkServerOptions = (p: Problems, native: unknown, known: readonly string[]): void => {
  if (!p.record('serverOptions', native, '{ maxPayloadLength: 131072 }')) return;
  p.unknownKeys('serverOptions', native, known);
  const deflate = native.perMessageDeflate;
  if (deflate !== undefined && typeof deflate !== 'boolean' && !isRecord(deflate)) {
    p.add('serverOptions.perMessageDeflate', deflate, 'must be true or false (or Bun\'s { compress, decompress } object).');
  }
  p.number('serverOptions.maxPayloadLength', native.maxPayloadLength, { unit: 'bytes', integer: true, min: 1, hint: 'the largest inbound frame; e.g. 131072 (128 KiB).' });
  p.number('serverOptions.idleTimeout', native.idleTimeout, { unit: 'seconds', integer: true, min: 0, max: 960, hint: 'Bun accepts 0 (off) to 960; e.g. 60.' });
  p.number('serverOptions.backpressureLimit', native.backpressureLimit, { unit: 'bytes', integer: true, min: 0, hint: '0 means no limit; e.g. 1048576 (1 MiB).' });
  for (const flag of ['closeOnBackpressureLimit', 'sendPings', 'publishToSelf']) p.boolean(`serverOptions.${flag}`, native[flag]);
};

const checkProtection = (p: Problems, protection: unknown, known: readonly string[], rateKnown: readonly string[]): void => {
  if (!p.record('protection', protection, '{ maxRoomsPerClient: 100 }')) return;
  p.unknownKeys('protection', protection, known);
  const rate = protection.rateLimit;
  if (rate !== undefined && rate !== false) {
    if (!isRecord(rate)) {
      p.add('protection.rateLimit', rate, 'must be false (no limit) or an object such as { perSecond: 100, burst: 200 }.');
    } else {
      p.unknownKeys('protection.rateLimit', rate, rateKnown);
      p.number('protection.rateLimit.perSecond', rate.perSecond, { unit: 'frames per second', min: Number.MIN_VALUE, integer: false, hint: 'above 0 (rateLimit: false turns the limit off); e.g. 100.' });
      p.number('protection.rateLimit.burst', rate.burst, { unit: 'frames', integer: false, min: 1, hint: 'at least 1; e.g. 200.' });
      p.number('protection.rateLimit.closeAfterDropped', rate.closeAfterDropped, { unit: 'frames', integer: true, min: 0, hint: 'dropped frames in 10 s before the close with 4005; e.g. 1000.' });
    }
  }
  for (const name of ['maxConnectionsPerIp', 'maxRoomsPerClient', 'maxJsonDepth', 'maxUnauthenticated', 'maxUnauthenticatedPerIp']) {
    p.number(`protection.${name}`, protection[name], { ...count, min: 0, hint: '0 turns this limit off.' });
  }
  const proxies = protection.trustedProxies;
  if (proxies !== undefined && !(Array.isArray(proxies) && proxies.every(entry => typeof entry === 'string'))) {
    p.add('protection.trustedProxies', proxies, "must be an array of addresses or CIDRs, e.g. ['10.0.0.0/8'].");
  }
};

const checkBroker = (p: Problems, broker: unknown, known: readonly string[]): void => {
  if (!p.record('broker', broker, '{ publishTimeout: 5000 }')) return;
  p.unknownKeys('broker', broker, known);
  p.number('broker.maxBufferedMessages', broker.maxBufferedMessages, { ...count, unit: 'messages', min: 0, hint: '0 means no bound; e.g. 10000.' });
  p.number('broker.maxBufferedBytes', broker.maxBufferedBytes, { ...count, unit: 'bytes', min: 0, hint: '0 means no bound; e.g. 16777216 (16 MiB).' });
  p.number('broker.publishTimeout', broker.publishTimeout, { ...ms, min: 0, max: MAX_TIMER_MS, hint: '0 means no timeout; e.g. 5000.' });
  p.number('broker.closeTimeout', broker.closeTimeout, { ...ms, min: 0, max: MAX_TIMER_MS, hint: '0 drops the connections at once; e.g. 2000.' });
};

const isRoomPolicy = (value: unknown): boolean =>
  typeof value === 'boolean' || typeof value === 'function' || (Array.isArray(value) && value.every(entry => typeof entry === 'string'));

const checkPresence = (p: Problems, presence: unknown, defaults: IResolvedTunableOptions['presence']): void => {
  if (!p.record('presence', presence, "{ rooms: ['lobby', 'chat:*'] }")) return;
  p.unknownKeys('presence', presence, [...Object.keys(defaults), 'info']);
  for (const name of ['rooms', 'events']) {
    const value = presence[name];
    if (value !== undefined && !isRoomPolicy(value)) p.add(`presence.${name}`, value, "must be true, false, a list of room names and '*' patterns, or a function (room) => boolean.");
  }
  if (presence.info !== undefined && typeof presence.info !== 'function') p.add('presence.info', presence.info, 'must be a function ({ clientId, userId, metadata }) => info, or left out.');
  p.number('presence.refreshInterval', presence.refreshInterval, { ...ms, min: 1, max: MAX_TIMER_MS, hint: 'how often a node refreshes its presence leases; e.g. 3000.' });
  const leaseOk = p.number('presence.lease', presence.lease, { ...ms, min: 1, hint: 'how long presence outlives a node that stopped refreshing; e.g. 9000.' });
  p.number('presence.offlineDelay', presence.offlineDelay, { ...ms, min: 0, max: MAX_TIMER_MS, hint: 'how long a user must stay gone before offline; e.g. 5000.' });
  const interval = typeof presence.refreshInterval === 'number' ? presence.refreshInterval : defaults.refreshInterval;
  const lease = typeof presence.lease === 'number' ? presence.lease : defaults.lease;
  if (leaseOk && lease <= 2 * interval) {
    p.add(
      presence.lease === undefined ? 'presence.refreshInterval' : 'presence.lease',
      presence.lease === undefined ? presence.refreshInterval : presence.lease,
      `presence.lease (${lease}) must be more than twice presence.refreshInterval (${interval}), or one late refresh makes a live node look dead. Set lease to about 3x refreshInterval (e.g. ${interval * 3}).`,
    );
  }
};

const checkCallbacksAndServer = (p: Problems, opts: TRecord): void => {
  if (typeof opts.identifier !== 'string' || opts.identifier.length === 0) p.add('identifier', opts.identifier, 'must be a non-empty string: the name in logs.');
  if (typeof opts.server !== 'object' || opts.server === null) p.add('server', opts.server, 'is required: pass the Bun server instance (what Bun.serve() returned).');
  if (typeof opts.authenticateFn !== 'function') p.add('authenticateFn', opts.authenticateFn, 'is required: it decides who may connect ({ userId } accepts, null rejects).');
  for (const name of CALLBACK_OPTIONS) {
    const value = opts[name];
    if (name !== 'authenticateFn' && value !== undefined && typeof value !== 'function') p.add(name, value, 'must be a function, or left out.');
  }
  if (opts.events !== undefined && !Array.isArray(opts.events)) p.add('events', opts.events, 'must be an array of defineEvent({ event, schema, handler }) results.');
  const redis = opts.redisConnection;
  if (redis !== undefined && redis !== null && typeof redis !== 'object') p.add('redisConnection', redis, 'must be an Ignis RedisHelper / RedisClusterHelper, or left out for one process without Redis.');
};

/** Top-level options checked one by one above; the others get the generic checks of `checkOtherTopLevel`. */
const CHECKED_ONE_BY_ONE = new Set<string>([
  ...NON_TUNABLE_OPTIONS,
  ...['path', 'defaultRooms', 'authTimeout', 'heartbeatInterval', 'heartbeatTimeout', 'encryptedBatchLimit', 'maxQueuedEncrypted'],
  ...['requireEncryption', 'logFormat', 'serverOptions', 'protection', 'broker', 'presence'],
]);

/**
 * Options added later get the checks their default implies: a route (`…Path`) is `false` or a
 * path starting with '/', a number is a finite number of 0 or more, a boolean is a boolean.
 */
const checkOtherTopLevel = (p: Problems, given: TRecord, defaults: Readonly<IResolvedTunableOptions>): void => {
  for (const [name, fallback] of Object.entries(defaults)) {
    const value = given[name];
    if (value === undefined || CHECKED_ONE_BY_ONE.has(name)) continue;
    if (name.endsWith('Path')) {
      if (value === false) continue;
      if (typeof value !== 'string' || !value.startsWith('/') || /[?#\s]/.test(value)) {
        const fix = typeof value === 'string' && value.length > 0 && !value.startsWith('/') ? `use '/${value}'` : "e.g. '/metrics'";
        p.add(name, value, `must be a path starting with '/' (or false for none); ${fix}.`);
      }
    } else if (typeof fallback === 'number') {
      const unit = /(Timeout|Interval)$/.test(name) ? 'milliseconds' : '';
      // A timeout or interval of 0 ms means nothing (every wait would fail at once).
      p.number(name, value, { unit, integer: false, min: unit ? 1 : 0, max: unit ? MAX_TIMER_MS : undefined, hint: `its default is ${fallback}.` });
    } else if (typeof fallback === 'boolean') {
      p.boolean(name, value);
    }
  }
};

/** Every problem with the given options (empty when they are fine); `defaults` is `WEBSOCKET_SERVER_DEFAULTS`. */
export const findOptionProblems = (opts: object, defaults: Readonly<IResolvedTunableOptions>): string[] => {
  const p = new Problems();
  const given: TRecord = { ...opts };
  p.unknownKeys('', given, [...NON_TUNABLE_OPTIONS, ...Object.keys(defaults)]);
  checkCallbacksAndServer(p, given);
  checkPath(p, given.path);
  const rooms = given.defaultRooms;
  if (rooms !== undefined && !(Array.isArray(rooms) && rooms.every(room => typeof room === 'string' && room.length > 0))) {
    p.add('defaultRooms', rooms, "must be an array of non-empty room names, e.g. ['lobby'] (or [] for none).");
  }
  checkTiming(p, given, defaults);
  p.number('encryptedBatchLimit', given.encryptedBatchLimit, { ...count, unit: 'calls', min: 1, hint: 'transformer calls in flight per fan-out; e.g. 10.' });
  p.number('maxQueuedEncrypted', given.maxQueuedEncrypted, { ...count, unit: 'messages', min: 0, hint: '0 means no cap; e.g. 1000.' });
  p.boolean('requireEncryption', given.requireEncryption);
  if (given.logFormat !== undefined && !LogFormats.isValid(given.logFormat)) {
    p.add('logFormat', given.logFormat, `must be one of ${[...LogFormats.SCHEME_SET].map(f => `'${f}'`).join(', ')}.`);
  }
  checkOtherTopLevel(p, given, defaults);
  checkServerOptions(p, given.serverOptions, Object.keys(defaults.serverOptions));
  const rateKnown = Object.keys(defaults.protection.rateLimit || {});
  checkProtection(p, given.protection, Object.keys(defaults.protection), rateKnown);
  checkBroker(p, given.broker, Object.keys(defaults.broker));
  checkPresence(p, given.presence, defaults.presence);
  return p.list;
};
