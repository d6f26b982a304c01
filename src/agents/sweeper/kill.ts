import { claimWorkersToKill } from '../../db/claim';
import { loadWorkers } from '../../db/repo/workers';
import type { Logger } from '../../log';
import type { KillResult } from '../../plugins/sweeper';
import type { AgentContext } from '../agent';
import type { AgentServices } from '../services';
import { groupForSweeper } from './by-queue';

export interface KillCounts {
  toKill: number;
  killed: number;
  killFailed: number;
}

/**
 * Facts §2.8 step 2: workers whose killTime is due are passed to the queue's
 * sweeper plugin in bulk. The claim moved killTime to now, so a failed (or
 * not yet observed) kill is retried after checkInterval; workers that turned
 * final meanwhile had their request cleared by the claim. The status is not
 * changed here: the monitor observes the cancellation.
 */
export async function killDueWorkers(ctx: AgentContext, services: AgentServices, log: Logger): Promise<KillCounts> {
  const cfg = ctx.config.sweeper;
  const claim = await claimWorkersToKill(ctx.db.sql, { limit: cfg.maxWorkers, checkInterval: cfg.checkInterval });
  const mine = ctx.queue === undefined ? claim.rows : claim.rows.filter((r) => r.computingSite === ctx.queue);
  const counts: KillCounts = { toKill: mine.length, killed: 0, killFailed: 0 };
  if (mine.length === 0) return counts;
  const workers = await loadWorkers(ctx.db.sql, mine.map((r) => r.workerID));
  const { groups } = await groupForSweeper(services, workers, log);
  for (const g of groups) {
    const glog = log.child({ queue: g.qc.queueName, configID: g.qc.configID });
    let results: KillResult[];
    try {
      results = await g.sweeper.killWorkers(g.workers.map((w) => ({ ...w })));
      if (results.length !== g.workers.length) throw new Error(`killWorkers returned ${results.length} results for ${g.workers.length} workers`);
    } catch (err) {
      glog.error({ err, workerIDs: g.workers.map((w) => w.workerID) }, 'killWorkers failed: retried after checkInterval');
      counts.killFailed += g.workers.length;
      continue;
    }
    g.workers.forEach((w, i) => {
      const r = results[i];
      if (r.status === 'killed') counts.killed += 1;
      else {
        counts.killFailed += 1;
        glog.warn({ workerID: w.workerID, batchID: w.batchID, diag: r.diag }, 'kill failed: retried after checkInterval');
      }
    });
  }
  return counts;
}
