/**
 * AES keys of the connected encrypted clients, one store per component instance, bound at
 * `ENCRYPTION_KEYS`. Each key is kept in an `AesGcmSession`, so its two message counters live and
 * die with it: a new connection starts again at 1 in both directions. A key is written in two
 * steps so that no key outlives its connection, by construction: the handshake `reserve()`s the client id before it derives the key and
 * `commit()`s the key afterwards; the end of the connection `delete()`s the reservation and the
 * key (see `dropKeyOnRemoval`). A commit whose reservation was dropped meanwhile keeps nothing,
 * so a client that leaves mid-handshake leaves no key. Docs: wiki/component.md#encryption
 *
 * @example
 * const reservation = keys.reserve(clientId); // before the first await
 * const key = await deriveAesKey({ privateKey, peerPublicKey, salt });
 * if (!keys.commit(reservation, key)) return null; // the client left while we derived
 */
import { AesGcmSession } from '../../protocol/index.js';

/** A handshake's claim on a client id, from `reserve()` until `commit()`, `release()` or the client's removal. */
export interface IClientKeyReservation {
  readonly clientId: string;
}

export class ClientKeyStore {
  private readonly sessions = new Map<string, AesGcmSession>();
  private readonly reservations = new Map<string, IClientKeyReservation>();

  /** Claims `clientId` for a handshake that is starting; a later claim for the same id replaces this one. */
  reserve(clientId: string): IClientKeyReservation {
    const reservation: IClientKeyReservation = Object.freeze({ clientId });
    this.reservations.set(clientId, reservation);
    return reservation;
  }

  /** Keeps `key` if the reservation is still open (its client has not gone); false when the key was discarded. */
  commit(reservation: IClientKeyReservation, key: CryptoKey): boolean {
    if (this.reservations.get(reservation.clientId) !== reservation) return false;
    this.reservations.delete(reservation.clientId);
    this.sessions.set(reservation.clientId, new AesGcmSession(key, 'server'));
    return true;
  }

  /** Closes a reservation without a key (the handshake failed); does nothing once committed or dropped. */
  release(reservation: IClientKeyReservation): void {
    if (this.reservations.get(reservation.clientId) === reservation) this.reservations.delete(reservation.clientId);
  }

  /**
   * Stores a key outright, for an app's own handshake that tracks its clients' lifetime itself;
   * the shipped handshake uses `reserve()` and `commit()` instead.
   */
  set(clientId: string, key: CryptoKey): void {
    this.sessions.set(clientId, new AesGcmSession(key, 'server'));
  }

  get(clientId: string): CryptoKey | undefined {
    return this.sessions.get(clientId)?.key;
  }

  /** The client's key with its counters: what the shipped transformers seal and open with. */
  session(clientId: string): AesGcmSession | undefined {
    return this.sessions.get(clientId);
  }

  has(clientId: string): boolean {
    return this.sessions.has(clientId);
  }

  /** The connection ended: drops its reservation and its key. */
  delete(clientId: string): void {
    this.reservations.delete(clientId);
    this.sessions.delete(clientId);
  }

  /** Number of keys held: equals the number of connected encrypted clients. */
  get size(): number {
    return this.sessions.size;
  }

  /** Number of handshakes between `reserve()` and `commit()`. */
  get pending(): number {
    return this.reservations.size;
  }

  /** Drops every key and reservation (the server stopped). */
  clear(): void {
    this.reservations.clear();
    this.sessions.clear();
  }
}
