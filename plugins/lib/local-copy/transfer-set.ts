/**
 * Copies in flight, keyed by destination path: `trigger` starts them, `check`
 * reads their state. At most `maxConcurrent` run at once; the rest wait their
 * turn (and count as running). Keyed by destination so two jobs staging the
 * same file to the same place share one copy.
 *
 * State lives in the plugin instance only. After a restart (or a new
 * configID's instance) a check finds nothing and the plugin starts the copy
 * again; copies are idempotent (temp file + rename), so that is safe.
 */

export type TransferState<R> =
  | { state: 'running' }
  | { state: 'done'; result: R }
  | { state: 'failed'; error: string };

interface Entry<R> {
  state: TransferState<R>;
  settledAt?: number;
}

/** Settled copies nobody asked about (their job failed on another file) are dropped after this long. */
const SETTLED_TTL_MS = 3600_000;

export class TransferSet<R> {
  private readonly entries = new Map<string, Entry<R>>();
  private readonly waiting: Array<() => void> = [];
  private active = 0;
  private readonly controller = new AbortController();

  constructor(private readonly maxConcurrent: number) {}

  /** Starts `task` under `key` unless a copy for it is already known (running or not yet reported). */
  start(key: string, task: (signal: AbortSignal) => Promise<R>): void {
    this.prune();
    if (this.entries.has(key)) return;
    const entry: Entry<R> = { state: { state: 'running' } };
    this.entries.set(key, entry);
    void this.run(entry, task);
  }

  get(key: string): TransferState<R> | undefined {
    return this.entries.get(key)?.state;
  }

  /** Drops a settled entry once its outcome was reported (a later trigger copies afresh). */
  forget(key: string): void {
    const e = this.entries.get(key);
    if (e && e.state.state !== 'running') this.entries.delete(key);
  }

  /** Aborts every copy (plugin eviction / shutdown). */
  close(): void {
    this.controller.abort(new Error('plugin closed'));
  }

  private async run(entry: Entry<R>, task: (signal: AbortSignal) => Promise<R>): Promise<void> {
    await this.acquire();
    try {
      if (this.controller.signal.aborted) throw new Error('plugin closed before the copy started');
      entry.state = { state: 'done', result: await task(this.controller.signal) };
    } catch (err) {
      entry.state = { state: 'failed', error: err instanceof Error ? err.message : String(err) };
    } finally {
      entry.settledAt = Date.now();
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.active < this.maxConcurrent) {
      this.active += 1;
      return;
    }
    // The releasing task hands its slot over directly, so `active` stays counted.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }

  private prune(): void {
    const limit = Date.now() - SETTLED_TTL_MS;
    for (const [key, e] of this.entries) if (e.settledAt !== undefined && e.settledAt < limit) this.entries.delete(key);
  }
}
