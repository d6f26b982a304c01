import type { Agent, AgentContext, CycleResult } from './agent';
import { runCheckPhase } from './preparator/check-phase';
import { preparatorSettings } from './preparator/settings';
import { runTriggerPhase } from './preparator/trigger-phase';

export interface PreparatorOptions {
  /** Wall clock (tests pin it to step over check/trigger intervals). */
  clock?: () => Date;
}

/**
 * The preparator agent (facts §2.3): stage-in of job inputs on the job lock
 * channel (`lockedBy` + `preparatorTime`). Each cycle first checks jobs in
 * `preparing`, then triggers jobs in `fetched` (the original's order). A job
 * whose trigger completed has `preparatorTime = NULL`, so the next cycle's
 * check takes it at once; a `pending` answer keeps the claim time, so the job
 * is looked at again after check/triggerInterval.
 */
export class Preparator implements Agent {
  readonly name = 'preparator';
  private readonly clock: () => Date;

  constructor(opts: PreparatorOptions = {}) {
    this.clock = opts.clock ?? (() => new Date());
  }

  async cycle(ctx: AgentContext): Promise<CycleResult> {
    const settings = preparatorSettings(ctx.config);
    const check = await runCheckPhase(ctx, settings, this.clock);
    if (ctx.signal.aborted) return check;
    const trigger = await runTriggerPhase(ctx, settings, this.clock);
    return { ...check, ...trigger };
  }
}
