/**
 * AES keys of the connected encrypted clients, one store per component instance. The shipped
 * handshake provider writes a key, the shipped transformer reads it, and the component deletes
 * it when the connection ends (`clientRemovedFn`), so no key outlives its client.
 */
export class ClientKeyStore {
  private readonly keys = new Map<string, CryptoKey>();

  set(clientId: string, key: CryptoKey): void {
    this.keys.set(clientId, key);
  }

  get(clientId: string): CryptoKey | undefined {
    return this.keys.get(clientId);
  }

  has(clientId: string): boolean {
    return this.keys.has(clientId);
  }

  delete(clientId: string): void {
    this.keys.delete(clientId);
  }

  /** Number of keys held: equals the number of connected encrypted clients. */
  get size(): number {
    return this.keys.size;
  }

  clear(): void {
    this.keys.clear();
  }
}
