import { relockJobs, type JobLockChannel } from '../db/claim/job-relock';
import type { SqlExecutor } from '../db/sql';

/**
 * Keeps a claimed batch of jobs locked while their plugin calls run one after
 * the other. The original re-locks before every call (`lock_job_again`);
 * here the whole batch is re-locked in one statement once a third of
 * lockInterval has passed, which costs nothing in the usual fast cycle and
 * still stops a slow cycle from working on jobs another thread took over.
 */
export class JobLockKeeper {
  private held: Set<number>;
  private lastTouch: number;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly channel: JobLockChannel,
    private readonly owner: string,
    pandaIDs: readonly number[],
    private readonly lockIntervalSec: number,
    private readonly clock: () => Date,
    claimedAt: Date,
  ) {
    this.held = new Set(pandaIDs);
    this.lastTouch = claimedAt.getTime();
  }

  /** Whether the job is still ours; re-locks the batch first when the locks are getting old. */
  async stillHeld(pandaID: number): Promise<boolean> {
    const now = this.clock();
    if (now.getTime() - this.lastTouch >= (this.lockIntervalSec * 1000) / 3) {
      this.held = new Set(await relockJobs(this.sql, this.channel, this.owner, [...this.held], now));
      this.lastTouch = now.getTime();
    }
    return this.held.has(pandaID);
  }
}
