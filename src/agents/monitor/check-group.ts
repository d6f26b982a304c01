import type { WorkerRow } from '../../db/repo/workers';
import type { Logger } from '../../log';
import type { Messenger } from '../../plugins/messenger';
import type { Monitor, WorkerCheck } from '../../plugins/monitor';
import type { QueueConfig } from '../../queue-config/types';
import type { AgentServices } from '../services';
import { queuePlugin } from './queue-plugins';
import type { WorkerSet } from './worker-sets';

/** Worker sets of one queue and configID: checked with one plugin call. */
export interface QueueGroup {
  queueName: string;
  configID: number | null;
  sets: WorkerSet[];
}

export interface GroupChecks {
  messenger: Messenger;
  /** The plugin's answer per workerID (workers the plugin was not asked about are absent). */
  checks: Map<number, WorkerCheck>;
  /** Seconds: the plugin's checkTimeout, else `[monitor] checkTimeout`. */
  checkTimeout: number;
}

const FINAL_MON = new Set(['finished', 'failed', 'cancelled']);

/** Workers the batch system is asked about: not late-binding ones, not ones already seen ended. */
function needsPluginCheck(w: WorkerRow): boolean {
  if (w.hasJob === 0 && w.mapType !== 'NoJob') return false;
  const f = w.workParams?.finalMonStatus;
  return !(typeof f === 'string' && FINAL_MON.has(f));
}

/**
 * Resolves the group's monitor and messenger plugins and checks its workers
 * in bulk. A plugin that throws or answers with the wrong number of checks
 * makes every worker `unknown` (the original's ok=False): an unreachable
 * scheduler never turns workers into failures, only checkTimeout does.
 * @returns null when the plugins cannot be built (logged; the group is left alone).
 */
export async function checkGroup(input: {
  services: AgentServices; qc: QueueConfig; group: QueueGroup; workers: ReadonlyMap<number, WorkerRow>; log: Logger; checkTimeoutDefault: number;
}): Promise<GroupChecks | null> {
  const { services, qc, group, log } = input;
  let monitor: Monitor;
  let messenger: Messenger;
  try {
    monitor = await queuePlugin(services, qc, 'monitor');
    messenger = await queuePlugin(services, qc, 'messenger');
  } catch (err) {
    log.error({ err }, 'cannot build the monitor/messenger plugins of the queue: workers left as they are');
    return null;
  }
  const toCheck = group.sets
    .flatMap((s) => s.writable)
    .map((id) => input.workers.get(id))
    .filter((w): w is WorkerRow => w !== undefined && needsPluginCheck(w));
  const checks = new Map<number, WorkerCheck>();
  if (toCheck.length > 0) {
    let results: WorkerCheck[];
    try {
      results = await monitor.checkWorkers(toCheck.map((w) => ({ ...w })));
      if (results.length !== toCheck.length) {
        throw new Error(`checkWorkers returned ${results.length} checks for ${toCheck.length} workers`);
      }
    } catch (err) {
      const diag = err instanceof Error ? err.message : String(err);
      log.warn({ err, workerIDs: toCheck.map((w) => w.workerID) }, 'checkWorkers failed: statuses unknown this cycle');
      results = toCheck.map(() => ({ status: 'unknown', diag }));
    }
    toCheck.forEach((w, i) => checks.set(w.workerID, results[i]));
  }
  return { messenger, checks, checkTimeout: monitor.checkTimeout ?? input.checkTimeoutDefault };
}
