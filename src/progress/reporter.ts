import type { Database } from '../db/connect';
import type { Logger } from '../log';
import { FINAL_JOB_STATUSES, localCounts, upstreamCounts, type Counts, type UpstreamCounts } from './counts';
import { allDoneLine, progressLine } from './format';

export interface ProgressOptions {
  db: Database;
  log: Logger;
  intervalSec: number;
  /** The embedded WMS's jobs by status, when there is one (else no upstream totals, no "all done" line). */
  upstream?: () => Counts;
  /** Where stagers put outputs (shown in the "all done" line). */
  outputDirs: readonly string[];
  /** The embedded WMS state file (named when the jobs were already done at start). */
  stateFile: string;
}

/**
 * `[master] progressInterval`: a periodic info line with jobs and workers by
 * state, and — with the embedded WMS — upstream totals plus one line once every
 * job is final. While work is pending a line comes every interval (so a person
 * sees it is alive); when idle, only when a count changed.
 */
export class ProgressReporter {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastLine = '';
  private sawPending = false;
  private announced = false;

  constructor(private readonly o: ProgressOptions) {}

  start(): void {
    if (this.o.intervalSec <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      // One tick at a time: a slow database must not stack queries up.
      this.running ??= this.tick().finally(() => {
        this.running = undefined;
      });
    }, this.o.intervalSec * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One report (exported for tests through `start`'s timer; safe to call directly). */
  async tick(): Promise<void> {
    try {
      const local = await localCounts(this.o.db);
      const upstream = this.o.upstream ? upstreamCounts(this.o.upstream()) : undefined;
      const line = progressLine(local, upstream);
      const pending = this.isPending(local.jobs, upstream);
      if (pending) this.sawPending = true;
      if (pending || line !== this.lastLine) {
        this.o.log.info({ jobs: local.jobs, workers: local.workers, ...(upstream ? { upstream: upstream.byStatus } : {}) }, line);
      }
      this.lastLine = line;
      if (upstream && !pending && upstream.total > 0 && !this.announced) {
        this.announced = true;
        this.o.log.info({ total: upstream.total, upstream: upstream.byStatus, outputDirs: this.o.outputDirs },
          allDoneLine(upstream, this.o.outputDirs, !this.sawPending, this.o.stateFile));
      }
      // New jobs submitted to the WMS later: announce again when they are done.
      if (pending) this.announced = false;
    } catch (err) {
      // A progress line is cosmetic: never let it disturb the service.
      this.o.log.warn({ err }, 'progress: could not count jobs and workers');
    }
  }

  private isPending(jobs: Counts, upstream: UpstreamCounts | undefined): boolean {
    const localPending = Object.entries(jobs).some(([k, n]) => n > 0 && !FINAL_JOB_STATUSES.has(k));
    return localPending || (upstream !== undefined && upstream.done < upstream.total);
  }
}
