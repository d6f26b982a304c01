/**
 * One claimed site: every queue of it in turn, then the site lock released
 * (with PanDA's nNewWorkers consumed in slave mode, and submitTime pushed
 * into the future by minSubmissionInterval after a submission).
 */
import { releaseQueuesFromSubmitter, type SiteClaim } from '../../db/claim';
import type { PandaQueueRow } from '../../db/claim/queues';
import type { ReleaseRow } from '../../db/claim/engine';
import type { PqColumn } from '../../db/columns';
import { submitQueue, type QueueRoundResult, type SubmitterRoundContext } from './queue-round';
import { appendTo } from '../../collections';

export interface SiteRoundArgs extends SubmitterRoundContext {
  site: SiteClaim;
  /** Only this queue of the site (`agent submitter --once --queue Q`). */
  onlyQueue?: string;
  signal: AbortSignal;
}

export type SiteRoundResult = Record<keyof QueueRoundResult | 'queues' | 'queueErrors', number>;

function byQueue(rows: readonly PandaQueueRow[]): Map<string, PandaQueueRow[]> {
  const out = new Map<string, PandaQueueRow[]>();
  for (const r of rows) {
    const name = r.queueName ?? r.uniqueName;
    appendTo(out, name, r);
  }
  return out;
}

/** Slave mode: what PanDA asked for minus what was submitted, spread over the queue's rows in order. */
function consumeNewWorkers(rows: readonly PandaQueueRow[], submitted: number): Map<string, number> {
  const out = new Map<string, number>();
  let left = submitted;
  for (const r of rows) {
    const had = r.nNewWorkers ?? 0;
    const take = Math.min(had, left);
    left -= take;
    if (take > 0) out.set(r.uniqueName, had - take);
  }
  return out;
}

export async function submitSite(a: SiteRoundArgs): Promise<SiteRoundResult> {
  const total: SiteRoundResult = {
    queues: 0, queueErrors: 0, orphansDeleted: 0, newWorkers: 0, submitted: 0, missed: 0, makeFailed: 0, jobsSubmitted: 0, jobsRetried: 0, jobsFailed: 0,
  };
  const nNewWorkers = new Map<string, number>();
  const log = a.log.child({ site: a.site.siteName });
  try {
    for (const [queueName, rows] of byQueue(a.site.queues)) {
      if (a.signal.aborted) break;
      if (a.onlyQueue !== undefined && queueName !== a.onlyQueue) continue;
      const queue = a.mapper.getActiveQueues().get(queueName);
      if (!queue) continue; // removed or offline since pq_table was filled
      total.queues++;
      try {
        const r = await submitQueue({ ...a, log, siteName: a.site.siteName, queue, pqRows: rows });
        for (const k of Object.keys(r) as Array<keyof QueueRoundResult>) total[k] += r[k];
        if (queue.runMode === 'slave' && r.submitted > 0) for (const [id, n] of consumeNewWorkers(rows, r.submitted)) nNewWorkers.set(id, n);
      } catch (err) {
        // One broken queue (plugin load failure, DB hiccup) must not starve the site's other queues.
        total.queueErrors++;
        log.error({ err, queue: queueName, owner: a.owner }, 'submission for queue failed');
      }
    }
  } finally {
    const pushBack = a.settings.minSubmissionInterval > 0 && total.submitted > 0
      ? new Date(Date.now() + a.settings.minSubmissionInterval * 1000)
      : undefined;
    const releases: Array<ReleaseRow<string, PqColumn>> = a.site.queues.map((r) => ({
      id: r.uniqueName,
      set: {
        ...(nNewWorkers.has(r.uniqueName) ? { nNewWorkers: nNewWorkers.get(r.uniqueName) } : {}),
        ...(pushBack ? { submitTime: pushBack } : {}),
      },
    }));
    const res = await releaseQueuesFromSubmitter(a.sql, a.owner, releases);
    if (res.lost.length) log.warn({ uniqueNames: res.lost }, 'site lock was taken over before release (cycle longer than queueLockInterval?)');
  }
  return total;
}
