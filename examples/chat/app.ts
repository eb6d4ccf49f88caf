/**
 * The chat as an Ignis application: the WebSocket component with three providers of ours
 * (demo auth, room policy, typed events), Redis when `redisUrl` is given, and the page routes.
 */
import { BaseApplication, type IApplicationInfo } from '@venizia/ignis';
import { WebSocketBindingKeys, WebSocketComponent, type IWebSocketComponentOptions } from 'ignis-websocket';
import { redisFromUrl } from '../shared/redis-url';
import { registerChatPage } from './page';
import { CHAT_INSTANCE_KEY, ChatEventsProvider, ChatRoomsProvider, DemoNameAuthProvider, chatHistoryPolicy } from './providers';

export interface IChatAppOptions {
  host: string;
  port: number;
  /** `redis://[:password@]host:port[/db]`; absent: one process, in-memory broker. */
  redisUrl?: string;
  /** Shown in the page; defaults to `chat@<port>`. */
  instance?: string;
}

export class ChatApp extends BaseApplication {
  readonly instance: string;

  constructor(private readonly options: IChatAppOptions) {
    super({ scope: ChatApp.name, config: { host: options.host, port: options.port, path: { base: '/', isStrict: false } } });
    this.instance = options.instance ?? `chat@${options.port}`;
  }

  override getAppInfo(): IApplicationInfo {
    return { name: 'ignis-websocket-chat', version: '0.1.0', description: 'Chat example of ignis-websocket' };
  }

  override staticConfigure(): void {}

  override setupMiddlewares(): void {}

  override preConfigure(): void {
    const { redisUrl } = this.options;
    // GET /metrics (Prometheus) and GET /health/ws (readiness: 503 while Redis is down), beside the page.
    // Presence in every room, with join/leave events to its members: the page's online list.
    const wsOptions: IWebSocketComponentOptions = {
      identifier: this.instance,
      path: '/ws',
      metricsPath: '/metrics',
      healthPath: '/health/ws',
      presence: { rooms: true, events: true },
    };
    this.bind({ key: WebSocketBindingKeys.SERVER_OPTIONS }).toValue(wsOptions);
    if (redisUrl) this.bind({ key: WebSocketBindingKeys.REDIS_CONNECTION }).toValue(redisFromUrl(redisUrl, this.instance));

    this.bind({ key: CHAT_INSTANCE_KEY }).toValue(this.instance);
    this.bind({ key: WebSocketBindingKeys.AUTHENTICATE_HANDLER }).toProvider(DemoNameAuthProvider);
    this.bind({ key: WebSocketBindingKeys.VALIDATE_ROOM_HANDLER }).toProvider(ChatRoomsProvider);
    this.bind({ key: WebSocketBindingKeys.EVENTS }).toProvider(ChatEventsProvider);
    // Room history: shown on join, recovered by the page's client after a reconnect (wiki/recovery.md).
    this.bind({ key: WebSocketBindingKeys.HISTORY_POLICY }).toValue(chatHistoryPolicy);
    this.component(WebSocketComponent);

    registerChatPage(this, { instance: this.instance, redis: Boolean(redisUrl) });
  }

  override postConfigure(): void {}
}
