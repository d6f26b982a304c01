import type { WorkerRow } from '../../db/repo/workers';
import type { Logger } from '../../log';
import type { Messenger } from '../../plugins/messenger';
import type { Sweeper } from '../../plugins/sweeper';
import type { QueueConfig } from '../../queue-config/types';
import { queuePlugin, workerQueueConfig } from '../monitor/queue-plugins';
import type { AgentServices } from '../services';
import { appendTo } from '../../collections';

/** Workers of one queue and configID with that version's sweeper and messenger. */
export interface SweeperGroup {
  qc: QueueConfig;
  sweeper: Sweeper;
  messenger: Messenger;
  workers: WorkerRow[];
}

/**
 * Groups workers by queue + configID (the plugins they were submitted with)
 * and resolves the plugins. Workers whose queue or plugins cannot be had are
 * returned in `unresolved` (logged); the caller retries them later.
 */
export async function groupForSweeper(services: AgentServices, workers: readonly WorkerRow[], log: Logger): Promise<{ groups: SweeperGroup[]; unresolved: WorkerRow[] }> {
  const byKey = new Map<string, WorkerRow[]>();
  for (const w of workers) {
    const k = JSON.stringify([w.computingSite, w.configID ?? null]);
    appendTo(byKey, k, w);
  }
  const groups: SweeperGroup[] = [];
  const unresolved: WorkerRow[] = [];
  for (const list of byKey.values()) {
    const { computingSite: queue, configID } = list[0];
    const ids = list.map((w) => w.workerID);
    try {
      const qc = await workerQueueConfig(services, queue, configID);
      if (!qc) throw new Error(`queue ${queue} (configID ${configID ?? 'none'}) is not in the queue config`);
      groups.push({ qc, sweeper: await queuePlugin(services, qc, 'sweeper'), messenger: await queuePlugin(services, qc, 'messenger'), workers: list });
    } catch (err) {
      log.warn({ err, queue, configID, workerIDs: ids }, 'cannot resolve the sweeper plugins of these workers: retried later');
      unresolved.push(...list);
    }
  }
  return { groups, unresolved };
}
