import type { Agent, AgentContext, CycleResult } from './agent';

/**
 * Base of the agents whose work later issues fill in: a cycle that does
 * nothing, so the master, runner and shutdown path run end to end today.
 */
export abstract class IdleAgent implements Agent {
  abstract readonly name: string;

  async cycle(_ctx: AgentContext): Promise<CycleResult> {
    return {};
  }
}
