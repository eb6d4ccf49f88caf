/**
 * Callback keys are served by provider classes resolved through the container. The app's own
 * provider wins whether it is bound before `app.component(...)`, after it, or in postConfigure
 * (after the component applied its defaults), and it can inject the app's services.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { BaseProvider, BindingScopes } from '@venizia/ignis';
import { RedisHelper } from '@venizia/ignis-helpers';
import {
  WebSocketBindingKeys,
  WebSocketCloseCodes,
  WebSocketComponent,
  WebSocketErrorCodes,
  getWebSocketHelper,
  type TWebSocketMessageHandler,
} from '../../src';
import { freePort } from '../support/ports';
import { TestClient } from '../support/ws-client';
import {
  DirectoryAuthProvider,
  GreetingEventsProvider,
  GreetingService,
  PolicyRoomsProvider,
  RemovalProbeProvider,
  RemovalProbeService,
  RoomPolicyService,
  SealHandshakeProvider,
  SealService,
  SealTransformerProvider,
  StaticTokenAuthProvider,
  TokenDirectoryService,
  serviceKey,
} from './fixtures/providers';
import { TestApp, type TAppStep } from './fixtures/test-app';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

/** Starts an app that binds `bindOwn` at the given moment relative to the component. */
const startWithOverride = async (when: string, bindOwn: TAppStep, services: TAppStep): Promise<TestApp> => {
  const configure: TAppStep = a => {
    services(a);
    if (when === 'before app.component') bindOwn(a);
    a.component(WebSocketComponent);
    if (when === 'after app.component') bindOwn(a);
  };
  return TestApp.start({ configure, postConfigure: when === 'in postConfigure' ? bindOwn : undefined });
};

const TIMINGS = ['before app.component', 'after app.component', 'in postConfigure'];

describe.each(TIMINGS)('the app provider bound %s wins and injects a service', when => {
  test('authenticate: DirectoryAuthProvider uses TokenDirectoryService', async () => {
    app = await startWithOverride(
      when,
      a => a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(DirectoryAuthProvider),
      a => a.service(TokenDirectoryService),
    );
    const ada = await TestClient.connect(app.wsUrl(), { token: 'token-of-ada' });
    expect(ada.frames.find(f => f.event === 'connected')!.data.userId).toBe('ada');
    expect(getWebSocketHelper(app).getClients({ id: ada.id })!.metadata).toEqual({ via: 'directory' });

    const stranger = await TestClient.open(app.wsUrl());
    stranger.send({ event: 'authenticate', data: { token: 'token-of-nobody' } });
    expect((await stranger.closed).code).toBe(WebSocketCloseCodes.AUTH_FAILED);
    await ada.close();
  });

  test('validate-room: PolicyRoomsProvider uses RoomPolicyService', async () => {
    app = await startWithOverride(
      when,
      a => a.bind({ key: WebSocketBindingKeys.VALIDATE_ROOM_HANDLER }).toProvider(PolicyRoomsProvider),
      a => {
        a.service(RoomPolicyService);
        a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
      },
    );
    const client = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    const answer = await client.request('join', { rooms: ['public-news', 'staff'] }, 'joined');
    expect(answer.data).toEqual({ rooms: ['public-news'], refused: ['staff'] });
    expect(getWebSocketHelper(app).getClientsByRoom({ room: 'public-news' }).map(c => c.id)).toEqual([client.id]);
    await client.close();
  });

  test('encryption pair: SealHandshakeProvider + SealTransformerProvider use SealService', async () => {
    app = await startWithOverride(
      when,
      a => {
        a.bind({ key: WebSocketBindingKeys.HANDSHAKE_HANDLER }).toProvider(SealHandshakeProvider);
        a.bind({ key: WebSocketBindingKeys.OUTBOUND_TRANSFORMER }).toProvider(SealTransformerProvider);
      },
      a => {
        a.service(SealService).setScope(BindingScopes.SINGLETON);
        a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
        a.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue({ requireEncryption: true });
      },
    );
    const client = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    const connected = client.frames.find(f => f.event === 'connected')!;
    expect(connected.data.serverPublicKey).toBe('seal-public-key');
    expect(connected.data.salt).toBe('seal-salt');

    getWebSocketHelper(app).sendToClient({ clientId: client.id, event: 'greeting', data: { hi: 1 } });
    const sealed = await client.next('sealed');
    expect(atob(sealed.data)).toBe('sealed:{"event":"greeting","data":{"hi":1}}');
    await client.close();
  });
});

describe('shipped defaults', () => {
  test('the default validate-room provider refuses every room', async () => {
    app = await TestApp.start({
      configure: a => {
        a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
        a.component(WebSocketComponent);
      },
    });
    const client = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    const answer = await client.request('join', { rooms: ['public-news', 'anything'] }, 'joined');
    expect(answer.data).toEqual({ rooms: [], refused: ['public-news', 'anything'] });
    await client.close();
  });

  test('SERVER_OPTIONS is merged over the defaults: given fields change, the rest keep their default', async () => {
    app = await TestApp.start({
      configure: a => {
        a.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue({ identifier: 'chat', defaultRooms: ['lobby'] });
        a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
        a.component(WebSocketComponent);
      },
    });
    const helper = getWebSocketHelper(app);
    expect(helper.identifier).toBe('chat');
    expect(helper.getPath()).toBe('/ws');
    const client = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    expect([...helper.getClients({ id: client.id })!.rooms].sort()).toEqual([client.id, 'lobby'].sort());
    await client.close();
  });

  test('the other callback keys take providers too: message, connected, disconnected, removed', async () => {
    const seen: string[] = [];
    class EchoProvider extends BaseProvider<TWebSocketMessageHandler> {
      constructor() {
        super({ scope: 'EchoProvider' });
      }
      value(container: import('@venizia/ignis').Container): TWebSocketMessageHandler {
        return ({ clientId, message }) =>
          getWebSocketHelper(container).sendToClient({ clientId, event: 'echo', data: message.data });
      }
    }
    app = await TestApp.start({
      configure: a => {
        a.service(RemovalProbeService).setScope(BindingScopes.SINGLETON);
        a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
        a.bind({ key: WebSocketBindingKeys.MESSAGE_HANDLER }).toProvider(EchoProvider);
        a.bind({ key: WebSocketBindingKeys.CLIENT_CONNECTED_HANDLER }).toProvider(
          class extends BaseProvider<() => void> {
            constructor() {
              super({ scope: 'ConnectedProvider' });
            }
            value() {
              return () => void seen.push('connected');
            }
          },
        );
        a.bind({ key: WebSocketBindingKeys.CLIENT_DISCONNECTED_HANDLER }).toValue(() => void seen.push('disconnected'));
        a.bind({ key: WebSocketBindingKeys.CLIENT_REMOVED_HANDLER }).toProvider(RemovalProbeProvider);
        a.component(WebSocketComponent);
      },
    });
    const probe = app.get<RemovalProbeService>({ key: serviceKey(RemovalProbeService.name) });
    const client = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    client.send({ event: 'shout', data: 'hello' });
    expect((await client.next('echo')).data).toBe('hello');
    const id = client.id;
    await client.close();
    await probe.untilRemoved(id);
    expect(seen).toEqual(['connected', 'disconnected']);
  });
});

describe('typed events', () => {
  test('EVENTS takes a provider whose handlers use an injected service; data is validated first', async () => {
    app = await TestApp.start({
      configure: a => {
        a.service(GreetingService);
        a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
        a.component(WebSocketComponent);
        a.bind({ key: WebSocketBindingKeys.EVENTS }).toProvider(GreetingEventsProvider);
      },
    });
    const client = await TestClient.connect(app.wsUrl(), { token: 'ada' });
    expect((await client.request('greet', { name: 'ada' }, 'greet:reply')).data).toEqual({ text: 'hello ada' });
    const invalid = await client.request('greet', { name: '' }, 'error');
    expect(invalid.data.code).toBe(WebSocketErrorCodes.VALIDATION_FAILED);
    await client.close();
  });
});

describe('start-up errors', () => {
  const startExpectingError = async (configure: TAppStep): Promise<string> => {
    app = TestApp.create({ configure }, await freePort());
    const error = await app.start().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    return error!.message;
  };

  test('no Ignis JWT auth and no app authenticate provider: the error names the key and the line to add', async () => {
    const message = await startExpectingError(a => a.component(WebSocketComponent));
    expect(message).toContain(WebSocketBindingKeys.AUTHENTICATE_HANDLER);
    expect(message).toContain('app.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(MyAuthenticateProvider);');
  });

  test('REDIS_CONNECTION that is not an Ignis DefaultRedisHelper fails start-up clearly', async () => {
    const message = await startExpectingError(a => {
      a.bind({ key: WebSocketBindingKeys.REDIS_CONNECTION }).toValue({ host: '127.0.0.1', port: 6379 });
      a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
      a.component(WebSocketComponent);
    });
    expect(message).toContain(WebSocketBindingKeys.REDIS_CONNECTION);
    expect(message).toContain('DefaultRedisHelper');
  });

  test('a callback key bound to something that is not a function fails start-up clearly', async () => {
    const message = await startExpectingError(a => {
      a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
      a.bind({ key: WebSocketBindingKeys.VALIDATE_ROOM_HANDLER }).toValue(['public']);
      a.component(WebSocketComponent);
    });
    expect(message).toContain(WebSocketBindingKeys.VALIDATE_ROOM_HANDLER);
    expect(message).toContain('must resolve to a function');
  });

  test('EVENTS bound to something that is not a list of event definitions fails start-up clearly', async () => {
    const message = await startExpectingError(a => {
      a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
      a.bind({ key: WebSocketBindingKeys.EVENTS }).toValue({ greet: () => 'hi' });
      a.component(WebSocketComponent);
    });
    expect(message).toContain(WebSocketBindingKeys.EVENTS);
  });

  test('Redis unreachable at start: start-up fails naming the key, and no helper is left bound', async () => {
    const deadPort = await freePort();
    const message = await startExpectingError(a => {
      const unreachable = new RedisHelper({ name: 'unreachable', host: '127.0.0.1', port: deadPort, password: '', autoConnect: false });
      a.bind({ key: WebSocketBindingKeys.REDIS_CONNECTION }).toValue(unreachable);
      a.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(StaticTokenAuthProvider);
      a.component(WebSocketComponent);
    });
    expect(message).toContain('could not start');
    expect(message).toContain(WebSocketBindingKeys.REDIS_CONNECTION);
    expect(app!.isBound({ key: WebSocketBindingKeys.WEBSOCKET_INSTANCE })).toBe(false);
  });
});
