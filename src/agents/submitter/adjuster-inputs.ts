/**
 * Gathers what the pure worker adjuster needs besides worker counts: the
 * throttler's decision, PanDA's nNewWorkers (slave mode) and, for pull
 * (NoJob) queues, the activated jobs PanDA reported into the cache.
 */
import { readStoredEntry } from '../../cacher/store';
import type { SqlExecutor } from '../../db/sql';
import type { PandaQueueRow } from '../../db/claim/queues';
import type { PluginFactory } from '../../plugins/factory';
import type { QueueInfo } from '../../plugins/types';
import type { QueueConfigMapper } from '../../queue-config/mapper';
import type { QueueConfig } from '../../queue-config/types';
import type { AdjusterInput, WorkerCounts } from './worker-adjuster';
import { queuePlugin } from './plugins';
import type { SubmitterSettings } from './settings';

/** Cache entry the original's cacher fills from PanDA: `{queueName: {activated: n, ...}}`. */
export const JOB_STATISTICS_KEY = 'job_statistics.json';

/** The queue config as the plugin interfaces see it. */
export function queueInfo(q: QueueConfig): QueueInfo {
  return { ...q };
}

/**
 * Activated jobs for the queue: undefined when there are no statistics at
 * all (queue limits alone apply), null when they list nothing for the queue.
 */
export async function activatedJobs(sql: SqlExecutor, queueName: string): Promise<number | null | undefined> {
  const entry = await readStoredEntry(sql, JOB_STATISTICS_KEY);
  if (!entry?.data) return undefined;
  let stats: unknown;
  try {
    stats = JSON.parse(entry.data);
  } catch {
    return undefined;
  }
  const q = (stats as Record<string, unknown> | null)?.[queueName];
  const n = (q as Record<string, unknown> | null | undefined)?.activated;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/**
 * `[submitter] activateWorkerFactor` for a queue: `auto` would be 1 / (number
 * of harvester instances serving the site per worker_statistics.json); with
 * one instance (the embedded setup) that is 1. Divided by the submitter
 * plugin's `nCoreFactor` when it sets one, as in the original.
 */
export function activateWorkerFactor(settings: SubmitterSettings, q: QueueConfig): number {
  const base = settings.activateWorkerFactor === 'auto' ? 1 : settings.activateWorkerFactor;
  const nCoreFactor = q.submitter.nCoreFactor;
  return typeof nCoreFactor === 'number' && nCoreFactor > 0 ? base / nCoreFactor : base;
}

export interface AdjusterInputArgs {
  sql: SqlExecutor;
  plugins: PluginFactory;
  mapper: QueueConfigMapper;
  settings: SubmitterSettings;
  queue: QueueConfig;
  pqRows: readonly PandaQueueRow[];
  counts: WorkerCounts;
}

export async function adjusterInput(a: AdjusterInputArgs): Promise<AdjusterInput & { throttleDiag: string }> {
  const q = a.queue;
  let throttled = false;
  let throttleDiag = '';
  if (q.throttler) {
    const throttler = await queuePlugin(a.plugins, a.mapper, q, 'throttler', 'throttler', q.throttler);
    const d = await throttler.toBeThrottled(queueInfo(q));
    throttled = d.throttled;
    throttleDiag = d.diag;
  }
  const pull = q.mapType === 'NoJob' && q.runMode === 'self';
  return {
    queue: q,
    counts: a.counts,
    maxNewWorkers: a.settings.maxNewWorkers,
    throttled,
    throttleDiag,
    nNewWorkersFromPanda: a.pqRows.reduce((n, r) => n + (r.nNewWorkers ?? 0), 0),
    ...(pull ? { activatedJobs: await activatedJobs(a.sql, q.queueName) } : {}),
    activateWorkerFactor: activateWorkerFactor(a.settings, q),
    noPilotsWhenNoActiveJobs: a.settings.noPilotsWhenNoActiveJobs,
  };
}
