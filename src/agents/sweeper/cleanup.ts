import { claimWorkersToSweep, type KeepHours } from '../../db/claim/workers-to-sweep';
import { deleteSweptWorkers } from '../../db/repo/sweeper-deletes';
import { loadWorkers, type WorkerRow } from '../../db/repo/workers';
import type { Logger } from '../../log';
import type { AgentContext } from '../agent';
import type { AgentServices } from '../services';
import { groupForSweeper, type SweeperGroup } from './by-queue';

export interface CleanupCounts {
  toSweep: number;
  swept: number;
  sweepFailed: number;
  deletedWorkers: number;
  deletedJobs: number;
}

/** `[sweeper] keep*` in hours; fractions are honoured (tests use seconds). */
export function keepHours(cfg: AgentContext['config']['sweeper']): KeepHours {
  return { finished: cfg.keepFinished, failed: cfg.keepFailed, cancelled: cfg.keepCancelled, missed: cfg.keepMissed, pending: cfg.keepPending };
}

/** Kill again (safety), sweep, clean the access point; the workers that may be deleted. */
async function sweepGroup(g: SweeperGroup, log: Logger, counts: CleanupCounts): Promise<WorkerRow[]> {
  const ids = g.workers.map((w) => w.workerID);
  try {
    // The batch job may outlive its final status (a lost kill): kill before deleting the last trace of it.
    await g.sweeper.killWorkers(g.workers.map((w) => ({ ...w })));
  } catch (err) {
    log.warn({ err, workerIDs: ids }, 'safety kill before sweeping failed; sweeping anyway');
  }
  let results;
  try {
    results = await g.sweeper.sweepWorkers(g.workers.map((w) => ({ ...w })));
    if (results.length !== g.workers.length) throw new Error(`sweepWorkers returned ${results.length} results for ${g.workers.length} workers`);
  } catch (err) {
    log.error({ err, workerIDs: ids }, 'sweepWorkers failed: retried later');
    counts.sweepFailed += g.workers.length;
    return [];
  }
  const deletable: WorkerRow[] = [];
  for (const [i, w] of g.workers.entries()) {
    if (results[i].status !== 'swept') {
      counts.sweepFailed += 1;
      log.warn({ workerID: w.workerID, batchID: w.batchID, diag: results[i].diag }, 'sweep failed: retried later');
      continue;
    }
    counts.swept += 1;
    try {
      const res = await g.messenger.cleanUp({ ...w });
      if (res.status === 'pending') {
        log.info({ workerID: w.workerID, diag: res.diag }, 'messenger cleanUp pending: retried later');
        continue;
      }
      if (res.status === 'failed') log.warn({ workerID: w.workerID, accessPoint: w.accessPoint, diag: res.diag }, 'messenger cleanUp failed; deleting the worker anyway');
    } catch (err) {
      log.warn({ err, workerID: w.workerID, accessPoint: w.accessPoint }, 'messenger cleanUp threw: retried later');
      continue;
    }
    deletable.push(w);
  }
  return deletable;
}

/**
 * Facts §2.8 step 3: ended, fully reported workers older than their keep
 * time are swept on the resource, their access point cleaned, and their rows
 * deleted with their done jobs, files, events and relations.
 */
export async function cleanUpOldWorkers(ctx: AgentContext, services: AgentServices, log: Logger): Promise<CleanupCounts> {
  const cfg = ctx.config.sweeper;
  const sql = ctx.db.sql;
  const counts: CleanupCounts = { toSweep: 0, swept: 0, sweepFailed: 0, deletedWorkers: 0, deletedJobs: 0 };
  const claim = await claimWorkersToSweep(sql, { limit: cfg.maxWorkers, keep: keepHours(cfg), retryInterval: cfg.checkInterval });
  const mine = ctx.queue === undefined ? claim.rows : claim.rows.filter((r) => r.computingSite === ctx.queue);
  counts.toSweep = mine.length;
  if (mine.length === 0) return counts;
  const { groups } = await groupForSweeper(services, await loadWorkers(sql, mine.map((r) => r.workerID)), log);
  const deletable: number[] = [];
  for (const g of groups) {
    const swept = await sweepGroup(g, log.child({ queue: g.qc.queueName, configID: g.qc.configID }), counts);
    deletable.push(...swept.map((w) => w.workerID));
  }
  const del = await deleteSweptWorkers(sql, deletable);
  counts.deletedWorkers = del.workers;
  counts.deletedJobs = del.jobs;
  return counts;
}
