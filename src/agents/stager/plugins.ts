import type { JobRow } from '../../db/repo/jobs';
import type { Stager as StagerPlugin } from '../../plugins/stager';
import type { Zipper } from '../../plugins/zipper';
import type { AgentContext } from '../agent';
import { queueConfigForJob, queuePlugin } from '../queue-plugin';

export type Lookup<P> = { plugin: P; error?: undefined } | { plugin?: undefined; error: string };

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The job queue's stager plugin, or why there is none (the caller releases the job and logs it). */
export async function stagerForJob(ctx: AgentContext, job: JobRow): Promise<Lookup<StagerPlugin>> {
  try {
    const queue = await queueConfigForJob(ctx, job);
    if (!queue) return { error: `queue "${job.computingSite}" is not in the queue configuration` };
    return { plugin: await queuePlugin(ctx, queue, 'stager', 'stager') };
  } catch (err) {
    return { error: message(err) };
  }
}

/**
 * The zipper: the queue's `zipper` section, else the stager plugin in that
 * role (facts §2.6). The latter is the same cached instance the stage-out
 * passes use (section `stager`), so a class doing both keeps one state.
 */
export async function zipperForJob(ctx: AgentContext, job: JobRow): Promise<Lookup<Zipper>> {
  try {
    const queue = await queueConfigForJob(ctx, job);
    if (!queue) return { error: `queue "${job.computingSite}" is not in the queue configuration` };
    if (queue.zipper) return { plugin: await queuePlugin(ctx, queue, 'zipper', 'zipper') };
    const stager: unknown = await queuePlugin(ctx, queue, 'stager', 'stager');
    if (typeof (stager as Partial<Zipper>).zipOutput !== 'function') {
      return { error: `queue "${job.computingSite}" has no "zipper" section and its stager plugin "${queue.stager.name}" cannot zip (no zipOutput)` };
    }
    return { plugin: stager as Zipper };
  } catch (err) {
    return { error: message(err) };
  }
}
