import { refreshCache } from '../cacher/refresh';
import type { Agent, AgentContext, CycleResult } from './agent';

/**
 * The cacher agent (facts §2.9): each cycle refreshes the `[cacher] data`
 * entries (and HARVESTER_QUEUE_CONFIG_URL) that are older than
 * `refreshInterval`, under the process lock `cacher`, so one process of many
 * fetches. The other processes see the result in cache_table.
 */
export class Cacher implements Agent {
  readonly name = 'cacher';
  private saidNothingToDo = false;

  async cycle(ctx: AgentContext): Promise<CycleResult> {
    const report = await refreshCache({
      sql: ctx.db.sql,
      config: ctx.config,
      log: ctx.log,
      owner: ctx.owner,
      systemConfigFile: ctx.configFile,
    });
    if (report.entries.length === 0 && report.ran && !this.saidNothingToDo) {
      // Said once per thread: worth knowing (`agent cacher --once` on a fresh setup), not worth repeating every minute.
      this.saidNothingToDo = true;
      ctx.log.info('no cache entries configured ([cacher] data is empty and HARVESTER_QUEUE_CONFIG_URL is unset): nothing to refresh');
    }
    const count = (o: string): number => report.entries.filter((e) => e.outcome === o).length;
    return {
      entries: report.entries.length,
      changed: count('changed'),
      unchanged: count('unchanged'),
      notDue: count('not-due'),
      failed: count('failed'),
      lockedOut: report.ran ? 0 : 1,
    };
  }
}
