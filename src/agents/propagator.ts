import type { Agent, AgentContext, CycleResult } from './agent';
import { warnOncePerOutage } from './jobfetcher/outage-log';
import { sendDialogs } from './propagator/dialogs';
import { propagateJobs } from './propagator/jobs';
import { periodicServiceMetrics, periodicWorkerStats } from './propagator/stats';
import { propagateWorkers } from './propagator/workers';

/**
 * The propagator (facts §2.2): tells upstream what happened. Each cycle
 * reports due jobs (bulk, chunks of nJobsInBulk; heartbeats every
 * updateInterval; statuses in a queue's noHeartbeat list only checked or
 * skipped), due workers (chunks of nWorkersInBulk), dialog messages, and —
 * once per period across the fleet — worker statistics and service metrics.
 *
 * Nothing is dropped while upstream is unreachable: undelivered jobs and
 * workers are released due again, dialogs stay in diag_table, and the
 * periodic reports give their period back.
 */
export class Propagator implements Agent {
  readonly name = 'propagator';

  async cycle(ctx: AgentContext): Promise<CycleResult> {
    const jobs = await propagateJobs(ctx);
    const workers = await propagateWorkers(ctx);
    const result: CycleResult = {
      jobsClaimed: jobs.claimed, jobsReported: jobs.reported, jobsChecked: jobs.checked, jobsSuppressed: jobs.suppressed,
      jobsDone: jobs.done, jobsKillRequested: jobs.killRequested, jobsRejected: jobs.rejected, jobsPending: jobs.pending,
      workersClaimed: workers.claimed, workersSent: workers.sent, workersFinalized: workers.finalized,
      workersRejected: workers.rejected, workersPending: workers.pending,
      dialogsSent: 0, statsSent: 0, metricsSent: 0,
    };
    const health = ctx.services.upstreamHealth();
    if (!health.reachable) {
      // The rest can wait for the next cycle; calling now would only add timeouts.
      warnOncePerOutage(ctx.services.upstream, health, ctx.log, 'propagator', 'upstream unreachable: job and worker updates stay pending until it answers again');
      return result;
    }
    result.dialogsSent = (await sendDialogs(ctx)).sent;
    result.statsSent = await periodicWorkerStats(ctx);
    result.metricsSent = await periodicServiceMetrics(ctx);
    return result;
  }
}
