/**
 * A FIFO async mutex. On sqlite one connection is shared by every caller in the
 * process, and any statement issued while a transaction is open becomes part of
 * it; holding this for each statement and each transaction keeps other callers'
 * statements out of someone else's transaction.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const prev = this.tail;
    this.tail = prev.then(() => next);
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
