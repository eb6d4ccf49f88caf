/**
 * Items that each expire a fixed `delayMs` after they were added — so deadlines come in the order
 * the items came, and one timer, armed for the oldest, serves them all. Adding is an array push,
 * and an item that stopped mattering is not removed: `onExpire` decides, when its time comes,
 * whether anything is still to do. A connection's auth deadline costs an array slot this way,
 * not a timer object of its own that stays alive until it would have fired.
 */
export class DeadlineQueue<T> {
  private items: (T | undefined)[] = [];
  private deadlines: number[] = [];
  private head = 0;
  private timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly delayMs: number,
    private readonly onExpire: (item: T) => void,
  ) {}

  /** Queues `item` to expire `delayMs` from now. */
  add(item: T): void {
    this.items.push(item);
    this.deadlines.push(performance.now() + this.delayMs);
    if (!this.timer) this.arm();
  }

  /** Forgets every item and stops the timer (shutdown). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.items = [];
    this.deadlines = [];
    this.head = 0;
  }

  private arm(): void {
    const next = this.deadlines[this.head];
    if (next === undefined) return;
    this.timer = setTimeout(() => this.expire(), Math.max(0, next - performance.now()));
    // The server keeps the process alive while it serves; a pending deadline alone must not.
    this.timer.unref?.();
  }

  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.head < this.items.length && this.deadlines[this.head]! <= now) {
      const item = this.items[this.head] as T;
      this.items[this.head] = undefined;
      this.head++;
      this.onExpire(item);
    }
    // Drop the spent front once it is most of the arrays, so they never grow with the total ever added.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.deadlines = this.deadlines.slice(this.head);
      this.head = 0;
    }
    this.arm();
  }
}
