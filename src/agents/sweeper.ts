import { deleteOldJobs } from '../db/repo/sweeper-deletes';
import type { Agent, AgentContext, CycleResult } from './agent';
import { servicesOf } from './monitor/queue-plugins';
import { cleanUpOldWorkers, keepHours } from './sweeper/cleanup';
import { killDueWorkers } from './sweeper/kill';

/**
 * The sweeper agent (facts §2.8): kills workers with a due kill request,
 * cleans up ended workers after their keep time, and deletes old reported
 * jobs. Disk clean-up (`diskCleanUpInterval`) is not implemented.
 */
export class Sweeper implements Agent {
  readonly name = 'sweeper';

  async cycle(ctx: AgentContext): Promise<CycleResult> {
    const services = servicesOf(ctx, 'sweeper');
    const kill = await killDueWorkers(ctx, services, ctx.log);
    const cleanup = await cleanUpOldWorkers(ctx, services, ctx.log);
    // delete_old_jobs: reported jobs no worker row took with it, kept an hour longer than any worker.
    const keep = Math.max(...Object.values(keepHours(ctx.config.sweeper)));
    const oldJobs = await deleteOldJobs(ctx.db.sql, (keep + 1) * 3600);
    return { ...kill, ...cleanup, deletedOldJobs: oldJobs };
  }
}
