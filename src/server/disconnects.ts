import { WebSocketReadyStates, type AnyObject, type IRedisDisconnectCommand } from '../protocol/index.js';
import type { ClientRegistry } from './client-registry.js';

/** Whose sockets a disconnect closes: one client, or every session of a user. */
export type TDisconnectTarget = Pick<IRedisDisconnectCommand, 'clientId' | 'userId'>;

/**
 * Closes this node's sockets of one client or of one user with an application close code: the
 * local half of `helper.cluster.disconnect()`, and what a `ws:control` disconnect command does on
 * every other node. Nothing else is done here: Bun's close callback then ends each session as for
 * any close (indexes, broker interest, `clientDisconnectedFn`).
 */
export class LocalDisconnects<MetadataType extends AnyObject> {
  constructor(private readonly registry: ClientRegistry<MetadataType>) {}

  /** Closes the target's sockets on this node; returns how many were still open. */
  close(target: TDisconnectTarget, code: number, reason: string): number {
    const { registry } = this;
    const clients =
      target.clientId !== undefined ? [registry.clients.get(target.clientId)] : registry.lookup(target.userId === undefined ? undefined : registry.userSessions(target.userId));
    let closed = 0;
    for (const client of clients) {
      if (!client || client.socket.readyState > WebSocketReadyStates.OPEN) continue;
      client.socket.close(code, reason);
      closed++;
    }
    return closed;
  }
}
