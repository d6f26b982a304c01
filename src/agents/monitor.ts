import type { Agent, AgentContext, CycleResult } from './agent';
import { runMonitorCycle } from './monitor/cycle';

/**
 * The monitor agent in DB mode (facts §2.5): checks submitted/running/idle
 * workers through the queue's monitor plugin and messenger, and moves workers
 * and their jobs on. FIFO and event-based modes are not implemented; with
 * `fifoEnable` the DB mode still runs, as the original does every sleepTime.
 */
export class Monitor implements Agent {
  readonly name = 'monitor';

  cycle(ctx: AgentContext): Promise<CycleResult> {
    return runMonitorCycle(ctx);
  }
}
