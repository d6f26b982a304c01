import { claimQueuesToSubmit, releaseQueuesFromSubmitter } from '../db/claim';
import type { Agent, AgentContext, CycleResult } from './agent';
import { submitSite } from './submitter/site-round';
import { submitterSettings } from './submitter/settings';

/**
 * The submitter agent (facts §2.4): claims one site at a time with the
 * per-site submission lock in pq_table, makes and submits the workers its
 * queues need, and releases the site. The lock plus counting `pending`
 * workers is what keeps several threads and processes from over-submitting.
 *
 * The original sleeps 0 s after a cycle that processed a site; the runner
 * has no such hook, so the cycle itself goes on to the next free site
 * (unless respectSleepTime) until none is left, shutdown starts, the same
 * site comes round again (lookupTime shorter than the cycle), or half of
 * queueLockInterval has passed (so the runner's overrun warning stays meaningful).
 */
export class Submitter implements Agent {
  readonly name = 'submitter';

  async cycle(ctx: AgentContext): Promise<CycleResult> {
    const settings = submitterSettings(ctx.config);
    const { queueConfig: mapper, plugins } = ctx.services;
    const total: CycleResult = { sites: 0 };
    let siteNames: string[] | undefined;
    if (ctx.queue !== undefined) {
      const q = mapper.getQueue(ctx.queue);
      if (!q) throw new Error(`submitter: queue ${ctx.queue} is not in the queue configuration`);
      siteNames = [q.siteName];
    }
    const started = Date.now();
    const seen = new Set<string>();
    while (!ctx.signal.aborted) {
      const site = await claimQueuesToSubmit(ctx.db.sql, {
        owner: ctx.owner, lookupTime: settings.lookupTime, queueLockInterval: settings.queueLockInterval, ...(siteNames ? { siteNames } : {}),
      });
      if (!site) break;
      if (seen.has(site.siteName)) {
        // Already done this cycle (lookupTime shorter than the cycle): give it back untouched and rest.
        await releaseQueuesFromSubmitter(ctx.db.sql, ctx.owner, site.queues.map((r) => ({ id: r.uniqueName })));
        break;
      }
      seen.add(site.siteName);
      const r = await submitSite({ sql: ctx.db.sql, owner: ctx.owner, log: ctx.log, plugins, mapper, settings, site, ...(ctx.queue !== undefined ? { onlyQueue: ctx.queue } : {}), signal: ctx.signal });
      total.sites++;
      for (const [k, v] of Object.entries(r)) total[k] = (total[k] ?? 0) + v;
      if (settings.respectSleepTime || ctx.queue !== undefined) break;
      if (Date.now() - started > (settings.queueLockInterval * 1000) / 2) break;
    }
    return total;
  }
}
