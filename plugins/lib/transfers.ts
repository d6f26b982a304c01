/**
 * Clock of pretend transfers for the dummy preparator and stager: when a
 * file's transfer started, by key. A file this process never saw triggered
 * (another process did, or we restarted) starts counting at its first check,
 * so it still completes — just later.
 */
export class TransferClock {
  private readonly started = new Map<string, number>();

  start(key: string, now: number): void {
    if (!this.started.has(key)) this.started.set(key, now);
  }

  /** Seconds since the transfer started (starting it now if unknown). */
  elapsedSec(key: string, now: number): number {
    this.start(key, now);
    return (now - (this.started.get(key) as number)) / 1000;
  }

  forget(key: string): void {
    this.started.delete(key);
  }
}
