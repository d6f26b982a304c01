import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { HarvesterConfig } from '../config/schema';
import type { Database } from '../db/connect';
import { ownerId } from '../db/owner';
import type { Logger } from '../log';
import type { QueueConfigMapper } from '../queue-config/mapper';
import type { Agent, AgentContext, AgentFactory, LoopSettings } from './agent';
import { idsFromError } from './error-ids';
import { servicesUnavailable, type AgentServices } from './services';
import { interruptibleSleep, sleepMs } from './sleep';

export interface RunnerOptions {
  db: Database;
  config: HarvesterConfig;
  /** Parent logger; every thread gets a child bound to `{agent, thread}`. */
  log: Logger;
  /** Each thread runs one cycle and ends (`start --once`, `agent NAME --once`). */
  once?: boolean;
  /** Handed to every cycle as `ctx.queue`. */
  queue?: string;
  /** Source of the sleep jitter; tests pin it. */
  random?: () => number;
  /** Handed to every cycle as `ctx.queueConfig`. */
  queueConfig?: QueueConfigMapper;
  /** Handed to every cycle as `ctx.configFile`. */
  configFile?: string;
  /** Handed to every cycle as `ctx.services`; without them any use throws (runner tests need none). */
  services?: AgentServices;
}

export interface StopOutcome {
  /** Every loop ended within the grace time. */
  drained: boolean;
  /** `agent#thread` of cycles still running when the grace time ran out. */
  stillRunning: string[];
}

/**
 * Owns the agents' threads: nThreads concurrent loops per agent, each
 * `cycle → sleep → cycle …` until stop. A cycle that throws is logged and the
 * loop goes on (in the original an escaping exception killed the thread for
 * good). Cycle time is measured against lockInterval because a cycle that
 * outlives it may have its rows taken over by another thread.
 */
export class AgentRunner {
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly inCycle = new Set<string>();
  private stopping = false;
  private nCycles = 0;
  private nFailures = 0;

  constructor(private readonly opts: RunnerOptions) {
    // Every sleeping loop and many cycles listen on this one signal; dozens of
    // listeners are expected, not a leak.
    setMaxListeners(0, this.abort.signal);
  }

  /** Fires when stop() starts; given to every cycle as `ctx.signal`. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get cycles(): number {
    return this.nCycles;
  }

  get failures(): number {
    return this.nFailures;
  }

  /** `agent#thread` of the cycles running right now. */
  running(): string[] {
    return [...this.inCycle];
  }

  /** Starts the agent's loops; returns how many (0 when disabled or already stopping). */
  start(factory: AgentFactory, settings: LoopSettings = factory.settings(this.opts.config)): number {
    if (this.stopping) return 0;
    for (let thread = 0; thread < settings.nThreads; thread++) {
      const agent = factory.create(this.opts.config);
      this.loops.push(this.loop(agent, factory.name, thread, settings));
    }
    return settings.nThreads;
  }

  /** Resolves when every loop has ended (after one cycle each in once mode, else after stop()). */
  async whenDone(): Promise<void> {
    await Promise.all(this.loops);
  }

  /** Stops starting cycles, wakes sleeping loops and waits up to `graceMs` for running cycles. */
  async stop(graceMs: number): Promise<StopOutcome> {
    this.stopping = true;
    this.abort.abort();
    if (!Number.isFinite(graceMs)) {
      await this.whenDone();
      return { drained: true, stillRunning: [] };
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, graceMs));
    });
    const drained = await Promise.race([this.whenDone().then(() => true), timedOut]);
    clearTimeout(timer);
    return { drained, stillRunning: this.running() };
  }

  private async loop(agent: Agent, name: string, thread: number, settings: LoopSettings): Promise<void> {
    const owner = ownerId(name, thread);
    const log = this.opts.log.child({ agent: name, thread });
    const ctx: AgentContext = {
      db: this.opts.db,
      config: this.opts.config,
      log,
      owner,
      thread,
      signal: this.abort.signal,
      ...(this.opts.queue !== undefined ? { queue: this.opts.queue } : {}),
      ...(this.opts.queueConfig !== undefined ? { queueConfig: this.opts.queueConfig } : {}),
      ...(this.opts.configFile !== undefined ? { configFile: this.opts.configFile } : {}),
      services: this.opts.services ?? servicesUnavailable(),
    };
    log.debug({ owner, settings }, 'agent thread started');
    while (!this.stopping) {
      await this.runCycle(agent, ctx, name, settings);
      if (this.opts.once || this.stopping) break;
      await interruptibleSleep(sleepMs(settings.sleepTime, settings.jitter, this.opts.random), this.abort.signal);
    }
    log.debug('agent thread stopped');
  }

  private async runCycle(agent: Agent, ctx: AgentContext, name: string, settings: LoopSettings): Promise<void> {
    const key = `${name}#${ctx.thread}`;
    const t0 = performance.now();
    this.inCycle.add(key);
    try {
      const result = await agent.cycle(ctx);
      this.nCycles++;
      const durationMs = Math.round(performance.now() - t0);
      // In once mode the result is the point of the run, so it is worth an info line.
      ctx.log[this.opts.once ? 'info' : 'debug']({ result, durationMs }, 'cycle done');
    } catch (err) {
      this.nCycles++;
      this.nFailures++;
      const durationMs = Math.round(performance.now() - t0);
      ctx.log.error({ err, owner: ctx.owner, durationMs, ...idsFromError(err) }, 'cycle failed; the loop goes on');
    } finally {
      this.inCycle.delete(key);
    }
    const durationMs = performance.now() - t0;
    if (settings.lockInterval !== undefined && settings.lockInterval > 0 && durationMs > settings.lockInterval * 1000) {
      ctx.log.warn(
        { durationMs: Math.round(durationMs), lockInterval: settings.lockInterval, owner: ctx.owner },
        'cycle took longer than lockInterval: rows it claimed may have been taken over by another thread',
      );
    }
  }
}
