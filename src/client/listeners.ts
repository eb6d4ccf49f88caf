/**
 * Handler registry behind `on` / `off`. One failing handler never stops the others nor reaches
 * the socket code: its error goes to `onHandlerError`.
 */

/** Any handler the registry stores. */
type TAnyHandler = (data: any) => unknown;

/** Event name -> handlers, dispatching in subscription order. */
export class ListenerRegistry {
  private readonly handlers = new Map<string, Set<TAnyHandler>>();

  constructor(private readonly onHandlerError: (opts: { event: string; error: unknown }) => void) {}

  /** Adds a handler; the returned function removes it. */
  add(event: string, handler: TAnyHandler): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(handler);
    return () => this.remove(event, handler);
  }

  /** Removes one handler, or every handler of `event` when none is given. */
  remove(event: string, handler?: TAnyHandler): void {
    const set = this.handlers.get(event);
    if (!set) return;
    if (handler) set.delete(handler);
    if (!handler || set.size === 0) this.handlers.delete(event);
  }

  /** Calls every handler of `event` with `data`; throws and rejections go to `onHandlerError`. */
  emit(event: string, data: unknown): void {
    const set = this.handlers.get(event);
    if (!set) return;
    // Copy first: a handler may unsubscribe itself (or others) while we iterate.
    for (const handler of [...set]) {
      try {
        const result = handler(data);
        if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
          (result as PromiseLike<unknown>).then(undefined, error => this.onHandlerError({ event, error }));
        }
      } catch (error) {
        this.onHandlerError({ event, error });
      }
    }
  }
}
