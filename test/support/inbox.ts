/**
 * A server-side `messageHandler` that records what it receives, in order, and lets a test await
 * the n-th message instead of sleeping.
 */
import type { IWebSocketMessage, TWebSocketMessageHandler } from '../../src';

export class Inbox {
  readonly messages: IWebSocketMessage[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  /** Bind or pass this as the `messageHandler` / `MESSAGE_HANDLER`. */
  readonly handler: TWebSocketMessageHandler = ({ message }) => {
    this.messages.push(message);
    const ready = this.waiters.filter(waiter => this.messages.length >= waiter.count);
    this.waiters = this.waiters.filter(waiter => this.messages.length < waiter.count);
    for (const waiter of ready) waiter.resolve();
  };

  /** Resolves with every message so far once there are at least `count`. */
  async until(count: number): Promise<IWebSocketMessage[]> {
    if (this.messages.length < count) await new Promise<void>(resolve => this.waiters.push({ count, resolve }));
    return this.messages;
  }
}
