import fs from 'node:fs';
import { claimJobsToPrepare } from '../../src/db/claim';
import type { Agent, AgentContext, AgentFactory, CycleResult } from '../../src/agents/agent';

/**
 * Test-only agents for the master's shutdown and error-isolation tests, driven
 * by env so a spawned master process can be configured without code:
 *  SLOW_AGENT_KIND        'slow' (claims rows, then sleeps through a long cycle), 'throw'
 *                         (every cycle throws) or 'crash' (an exception escapes every handler)
 *  SLOW_AGENT_MARKER      file that gets one line per cycle start/end
 *  SLOW_AGENT_CYCLE_MS    length of a slow cycle (default 4000)
 *  SLOW_AGENT_SLEEP       sleepTime in s (default 60 slow, 0.2 throw)
 *  SLOW_AGENT_LOCK_INTERVAL lockInterval in s (unset = none)
 */
function mark(line: string): void {
  const file = process.env.SLOW_AGENT_MARKER;
  if (file) fs.appendFileSync(file, `${line}\n`);
}

function settingsFromEnv(defaultSleep: number): { nThreads: number; sleepTime: number; lockInterval?: number; jitter: boolean } {
  const lock = process.env.SLOW_AGENT_LOCK_INTERVAL;
  return {
    nThreads: 1,
    sleepTime: Number(process.env.SLOW_AGENT_SLEEP ?? defaultSleep),
    ...(lock ? { lockInterval: Number(lock) } : {}),
    jitter: false,
  };
}

/** Claims every fetched job for its owner id, holds them through a long cycle, leaves releasing to the master. */
class SlowAgent implements Agent {
  readonly name = 'slowagent';
  private n = 0;

  async cycle(ctx: AgentContext): Promise<CycleResult> {
    const n = ++this.n;
    // The real preparator claim (subStatus fetched), stamped with this thread's owner id.
    const { rows: claimed } = await claimJobsToPrepare(ctx.db.sql, {
      owner: ctx.owner, limit: 100, lockInterval: 600, phase: 'trigger', interval: 0,
    });
    mark(`cycle-start ${n} claimed=${claimed.length} owner=${ctx.owner}`);
    ctx.log.info({ claimed: claimed.length }, 'slow cycle started');
    // Deliberately ignores ctx.signal while sleeping: the test checks that shutdown waits for it.
    await new Promise((r) => setTimeout(r, Number(process.env.SLOW_AGENT_CYCLE_MS ?? 4000)));
    mark(`cycle-done ${n} aborted=${ctx.signal.aborted}`);
    ctx.log.info({ aborted: ctx.signal.aborted }, 'slow cycle done');
    return { claimed: claimed.length };
  }
}

/** Throws on every cycle, carrying a PandaID and queue like a real per-row failure. */
class ThrowingAgent implements Agent {
  readonly name = 'throwagent';
  private n = 0;

  async cycle(_ctx: AgentContext): Promise<CycleResult> {
    const n = ++this.n;
    mark(`cycle ${n}`);
    throw Object.assign(new Error(`boom in cycle ${n}`), { PandaID: 4242, queue: 'TEST_QUEUE' });
  }
}

/** Throws from a timer, outside any cycle: only the process-wide handler sees it. */
class CrashingAgent implements Agent {
  readonly name = 'crashagent';

  async cycle(_ctx: AgentContext): Promise<CycleResult> {
    mark('crash scheduled');
    setTimeout(() => {
      throw new Error('escaped every handler');
    }, 50);
    return {};
  }
}

export const slowAgentFactory: AgentFactory = {
  name: 'slowagent',
  settings: () => settingsFromEnv(60),
  create: () => new SlowAgent(),
};

export const throwingAgentFactory: AgentFactory = {
  name: 'throwagent',
  settings: () => settingsFromEnv(0.2),
  create: () => new ThrowingAgent(),
};

export const crashingAgentFactory: AgentFactory = {
  name: 'crashagent',
  settings: () => settingsFromEnv(60),
  create: () => new CrashingAgent(),
};

export function testAgentsFromEnv(): AgentFactory[] {
  const kind = process.env.SLOW_AGENT_KIND;
  return [kind === 'throw' ? throwingAgentFactory : kind === 'crash' ? crashingAgentFactory : slowAgentFactory];
}
