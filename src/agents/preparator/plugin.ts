import type { JobRow } from '../../db/repo/jobs';
import type { Preparator as PreparatorPlugin } from '../../plugins/preparator';
import type { AgentContext } from '../agent';
import { queueConfigForJob, queuePlugin } from '../queue-plugin';

export type PluginLookup = { plugin: PreparatorPlugin; error?: undefined } | { plugin?: undefined; error: string };

/**
 * The preparator (or aux_preparator) plugin of a job's queue. Failures come
 * back as text, not exceptions: the caller releases the job and logs it with
 * queue and PandaID, and the job is retried at the next interval.
 */
export async function preparatorForJob(ctx: AgentContext, job: JobRow, section: 'preparator' | 'aux_preparator'): Promise<PluginLookup> {
  try {
    const queue = await queueConfigForJob(ctx, job);
    if (!queue) return { error: `queue "${job.computingSite}" is not in the queue configuration` };
    if (!queue[section]) return { error: `queue "${job.computingSite}" has no "${section}" section (job auxInput=${String(job.auxInput)})` };
    return { plugin: await queuePlugin(ctx, queue, 'preparator', section) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

