import type { Agent, AgentContext, CycleResult } from './agent';
import { stagerPasses } from './stager/passes';
import { runStagerPass } from './stager/run-pass';
import { stagerSettings } from './stager/settings';

export interface StagerOptions {
  /** Wall clock (tests pin it to step over check/trigger/zip intervals). */
  clock?: () => Date;
}

/**
 * The stager agent (facts §2.6): stage-out and zipping of job outputs on
 * `stagerLock` + `stagerTime`. A cycle runs the passes in the original's
 * order — check transfers, trigger new ones, zip, post-zip (only with
 * `[zipper] usePostZipping`) — each claiming its own jobs.
 */
export class Stager implements Agent {
  readonly name = 'stager';
  private readonly clock: () => Date;

  constructor(opts: StagerOptions = {}) {
    this.clock = opts.clock ?? (() => new Date());
  }

  async cycle(ctx: AgentContext): Promise<CycleResult> {
    const settings = stagerSettings(ctx.config);
    let result: CycleResult = {};
    for (const spec of stagerPasses(settings)) {
      if (ctx.signal.aborted) break;
      result = { ...result, ...(await runStagerPass(ctx, spec, settings.lockInterval, this.clock)) };
    }
    return result;
  }
}
