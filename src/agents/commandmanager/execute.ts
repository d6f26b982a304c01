/**
 * Carries out one command from PanDA. The original handed most of them to
 * other agents through command_table receivers; here the command manager
 * does the (small, database-only) work itself, so a command takes effect in
 * the cycle it arrives: kill requests become killTime marks the sweeper acts
 * on, worker counts go into pq_table for the submitter.
 */
import { markWorkersToKill } from '../../db/claim';
import type { Json } from '../../plugins/types';
import type { AgentContext } from '../agent';
import { sendWorkerStats } from '../propagator/stats';
import { workerIDsOf, workersMatchingKillQuery } from './kill-query';
import { parseNewWorkers, setNewWorkers } from './queue-limits';

export interface CommandOutcome {
  /** False: unknown command, or its work could not be done (then it is not acknowledged). */
  done: boolean;
  /** Workers marked / pq rows written / queues reported. */
  affected: number;
  detail: string;
}

export async function executeCommand(ctx: AgentContext, command: string, params: Json): Promise<CommandOutcome> {
  const [name, arg] = splitCommand(command);
  const sql = ctx.db.sql;
  switch (name) {
    case 'KILL_WORKERS': {
      const ids = await workersMatchingKillQuery(sql, params);
      const marked = await markWorkersToKill(sql, ids);
      return { done: true, affected: marked, detail: `${ids.length} live workers match, ${marked} newly marked to kill` };
    }
    case 'SYNC_WORKERS_KILL': {
      const ids = workerIDsOf(params);
      const marked = await markWorkersToKill(sql, ids);
      return { done: true, affected: marked, detail: `${ids.length} workers listed, ${marked} newly marked to kill` };
    }
    case 'SET_N_WORKERS_JOBTYPE': {
      if (!arg) return { done: false, affected: 0, detail: 'no site after SET_N_WORKERS_JOBTYPE:' };
      const settings = parseNewWorkers(params);
      const written = await setNewWorkers(sql, arg, settings);
      return { done: true, affected: written, detail: written ? `nNewWorkers set for ${settings.length} job/resource types of site ${arg}` : `no pq_table rows for site ${arg}` };
    }
    case 'REPORT_WORKER_STATS': {
      if (!arg) return { done: false, affected: 0, detail: 'no site after REPORT_WORKER_STATS:' };
      const queues = [...ctx.services.queueConfig.getActiveQueues().values()].filter((q) => q.siteName === arg || q.queueName === arg).map((q) => q.queueName);
      const sent = await sendWorkerStats(ctx, queues);
      return { done: sent === queues.length, affected: sent, detail: `worker statistics of ${sent}/${queues.length} queues of site ${arg} sent` };
    }
    default:
      return { done: false, affected: 0, detail: `unknown command ${name}` };
  }
}

/** `NAME:arg` → [NAME, arg]; the argument (a site) may itself contain ':' only after the first one. */
export function splitCommand(command: string): [string, string | undefined] {
  const i = command.indexOf(':');
  return i < 0 ? [command, undefined] : [command.slice(0, i), command.slice(i + 1) || undefined];
}
