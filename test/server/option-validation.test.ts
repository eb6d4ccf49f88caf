/**
 * Start-up validation (`resolveServerOptions()`, src/server/option-checks.ts): every refused
 * option is named with its value and what to do, in one error, before anything listens; the
 * component's start-up error carries the same message.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { WebSocketBindingKeys, WebSocketComponent, WebSocketServerHelper, resolveServerOptions, type IWebSocketServerOptions } from '../../src';
import { StaticTokenAuthProvider } from '../component/fixtures/providers';
import { TestApp } from '../component/fixtures/test-app';
import { freePort } from '../support/ports';

const server = { pendingWebSockets: 0, publish: () => 0, upgrade: () => true };
const base = { identifier: 'checks', server, authenticateFn: () => ({ userId: 'u' }) };

/** The error message resolveServerOptions() throws for `extra` over valid options ('' when it accepts them). */
const refusal = (extra: Record<string, unknown>): string => {
  try {
    resolveServerOptions({ ...base, ...extra } as IWebSocketServerOptions);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

describe('resolveServerOptions() refuses, naming the option, the value and what to do', () => {
  test('valid options, defaults and undefined fields pass', () => {
    expect(refusal({})).toBe('');
    expect(refusal({ path: undefined, authTimeout: undefined, protection: { rateLimit: false }, serverOptions: {}, broker: {} })).toBe('');
    expect(
      refusal({
        path: '/realtime',
        defaultRooms: [],
        authTimeout: 1_000,
        heartbeatInterval: 10_000,
        heartbeatTimeout: 25_000,
        encryptedBatchLimit: 4,
        maxQueuedEncrypted: 0,
        requireEncryption: false,
        logFormat: 'json',
        serverOptions: { maxPayloadLength: 2048, idleTimeout: 0, backpressureLimit: 0, perMessageDeflate: true },
        protection: { rateLimit: { perSecond: 0.5, burst: 1, closeAfterDropped: 0 }, maxConnectionsPerIp: 0, trustedProxies: ['10.0.0.0/8'] },
        broker: { publishTimeout: 0, closeTimeout: 0, maxBufferedMessages: 0, maxBufferedBytes: 1 },
        validateRoomFn: () => [],
        events: [],
      }),
    ).toBe('');
  });

  test("a path without a leading slash: the fix is spelled out", () => {
    expect(refusal({ path: 'ws' })).toBe(
      `[checks] Invalid option:\n  - 'path' is "ws": must start with '/' (it is compared with the request's path); use '/ws'.`,
    );
    expect(refusal({ path: '' })).toContain(`'path' is "": must be a non-empty string starting with '/'`);
    expect(refusal({ path: '/ws?x=1' })).toContain(`'path' is "/ws?x=1": must be a plain path without '?'`);
  });

  test('zero or negative timeouts, intervals and limits where that means nothing', () => {
    expect(refusal({ authTimeout: 0 })).toContain(
      `'authTimeout' is 0: must be a number of milliseconds, from 1 to 715827882; the time a client has to send authenticate (3x that for authenticateFn); e.g. 5000.`,
    );
    expect(refusal({ heartbeatInterval: -1 })).toContain(`'heartbeatInterval' is -1: must be a number of milliseconds, from 1 to 2147483647`);
    expect(refusal({ heartbeatTimeout: 0 })).toContain(`'heartbeatTimeout' is 0: must be a number of milliseconds, 1 or more`);
    expect(refusal({ encryptedBatchLimit: 0 })).toContain(`'encryptedBatchLimit' is 0: must be a whole number of calls, 1 or more`);
    expect(refusal({ maxQueuedEncrypted: -5 })).toContain(`'maxQueuedEncrypted' is -5: must be a whole number of messages, 0 or more; 0 means no cap`);
    expect(refusal({ serverOptions: { maxPayloadLength: 0 } })).toContain(`'serverOptions.maxPayloadLength' is 0: must be a whole number of bytes, 1 or more`);
    expect(refusal({ serverOptions: { idleTimeout: 5_000 } })).toContain(`'serverOptions.idleTimeout' is 5000: must be a whole number of seconds, from 0 to 960; Bun accepts 0 (off) to 960`);
    expect(refusal({ protection: { maxRoomsPerClient: -1 } })).toContain(`'protection.maxRoomsPerClient' is -1: must be a whole number of items, 0 or more; 0 turns this limit off.`);
    expect(refusal({ protection: { rateLimit: { perSecond: 0 } } })).toContain(`'protection.rateLimit.perSecond' is 0: must be a number of frames per second`);
    expect(refusal({ protection: { rateLimit: { burst: 0.5 } } })).toContain(`'protection.rateLimit.burst' is 0.5: must be a number of frames, 1 or more`);
    expect(refusal({ broker: { publishTimeout: -100 } })).toContain(`'broker.publishTimeout' is -100: must be a number of milliseconds, from 0 to 2147483647; 0 means no timeout`);
    expect(refusal({ authTimeout: Number.POSITIVE_INFINITY })).toContain(`'authTimeout' is Infinity`);
    // A health probe that may wait 0 ms would report Redis down on every probe.
    expect(refusal({ healthTimeout: 0 })).toContain(`'healthTimeout' is 0: must be a number of milliseconds, from 1 to 2147483647`);
  });

  test('a timer longer than JavaScript timers can wait (they would fire after 1 ms) is refused', () => {
    // authTimeout * 3 is the second auth timer: 1e9 * 3 is past 2^31 - 1 ms.
    expect(refusal({ authTimeout: 1e9 })).toContain(`'authTimeout' is 1000000000: must be a number of milliseconds, from 1 to 715827882`);
    expect(refusal({ heartbeatInterval: 2 ** 31, heartbeatTimeout: 2 ** 32 })).toContain(`'heartbeatInterval' is 2147483648`);
  });

  test('heartbeatTimeout at or below heartbeatInterval, given or implied by a default', () => {
    expect(refusal({ heartbeatInterval: 30_000, heartbeatTimeout: 30_000 })).toBe(
      `[checks] Invalid option:\n  - 'heartbeatTimeout' is 30000: heartbeatTimeout (30000) must be greater than heartbeatInterval (30000): ` +
        `silence is checked once per interval, so a client that beats on time could be closed. Set heartbeatTimeout to about 3x heartbeatInterval (e.g. 90000).`,
    );
    // Only the interval given: the default timeout (90000) is below it, and the message names the option that was set.
    expect(refusal({ heartbeatInterval: 100_000 })).toContain(`'heartbeatInterval' is 100000: heartbeatTimeout (90000) must be greater than heartbeatInterval (100000)`);
    expect(refusal({ heartbeatTimeout: 20_000 })).toContain(`'heartbeatTimeout' is 20000: heartbeatTimeout (20000) must be greater than heartbeatInterval (30000)`);
  });

  test('unknown option names, at the top level and nested, with the nearest known name', () => {
    expect(refusal({ heartbeatTimout: 5_000 })).toContain(`'heartbeatTimout' is not an option (value 5000): did you mean 'heartbeatTimeout'? remove it or fix its name.`);
    expect(refusal({ serverOptions: { maxPayload: 10 } })).toContain(`'serverOptions.maxPayload' is not an option (value 10): did you mean 'maxPayloadLength'?`);
    expect(refusal({ protection: { rateLimits: false } })).toContain(`'protection.rateLimits' is not an option (value false): did you mean 'rateLimit'?`);
    expect(refusal({ protection: { rateLimit: { perSec: 5 } } })).toContain(`'protection.rateLimit.perSec' is not an option (value 5): did you mean 'perSecond'?`);
    expect(refusal({ broker: { retries: 3 } })).toBe(`[checks] Invalid option:\n  - 'broker.retries' is not an option (value 3): remove it or fix its name.`);
    expect(refusal({ redisUrl: 'redis://x' })).toContain(`'redisUrl' is not an option (value "redis://x")`);
  });

  test('values of the wrong type', () => {
    expect(refusal({ authTimeout: '5000' })).toContain(`'authTimeout' is "5000": must be a number of milliseconds`);
    expect(refusal({ requireEncryption: 'yes' })).toContain(`'requireEncryption' is "yes": must be true or false.`);
    expect(refusal({ defaultRooms: 'lobby' })).toContain(`'defaultRooms' is "lobby": must be an array of non-empty room names, e.g. ['lobby']`);
    expect(refusal({ logFormat: 'yaml' })).toContain(`'logFormat' is "yaml": must be one of 'text', 'json'.`);
    expect(refusal({ serverOptions: 5 })).toContain(`'serverOptions' is 5: must be an object such as { maxPayloadLength: 131072 }, or left out for the defaults.`);
    expect(refusal({ serverOptions: { sendPings: 1 } })).toContain(`'serverOptions.sendPings' is 1: must be true or false.`);
    expect(refusal({ protection: { rateLimit: true } })).toContain(`'protection.rateLimit' is true: must be false (no limit) or an object`);
    expect(refusal({ protection: { trustedProxies: '10.0.0.0/8' } })).toContain(`'protection.trustedProxies' is "10.0.0.0/8": must be an array of addresses or CIDRs`);
    expect(refusal({ messageHandler: 'handler' })).toContain(`'messageHandler' is "handler": must be a function, or left out.`);
    expect(refusal({ authenticateFn: undefined })).toContain(`'authenticateFn' is undefined: is required: it decides who may connect`);
    expect(refusal({ server: undefined })).toContain(`'server' is undefined: is required: pass the Bun server instance`);
  });

  test('every problem is listed in one error, and the helper constructor throws it before anything starts', () => {
    const options = { ...base, path: 'ws', authTimeout: -1, heartbeatTimout: 1 } as unknown as IWebSocketServerOptions;
    expect(() => new WebSocketServerHelper(options)).toThrow(/^\[checks\] 3 invalid options:\n {2}- 'heartbeatTimout' .*\n {2}- 'path' .*\n {2}- 'authTimeout' .*$/);
  });
});

describe('the component surfaces the same validation at start-up', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  test("SERVER_OPTIONS with path 'ws': app.start() rejects with the option, the value and the fix; no helper is bound", async () => {
    app = TestApp.create(
      {
        configure: a => {
          a.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue({ path: 'ws', heartbeatTimeout: 1_000 });
          a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
          a.component(WebSocketComponent);
        },
      },
      await freePort(),
    );
    const error = await app.start().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toStartWith(
      `[WebSocketComponent] The WebSocket server could not start (options bound to '${WebSocketBindingKeys.SERVER_OPTIONS}'): [WEBSOCKET_SERVER] 2 invalid options:`,
    );
    expect(error!.message).toContain(`'path' is "ws": must start with '/' (it is compared with the request's path); use '/ws'.`);
    expect(error!.message).toContain(`'heartbeatTimeout' is 1000: heartbeatTimeout (1000) must be greater than heartbeatInterval (30000)`);
    expect(app.isBound({ key: WebSocketBindingKeys.WEBSOCKET_INSTANCE })).toBe(false);
  });
});
