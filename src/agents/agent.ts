import type { HarvesterConfig } from '../config/schema';
import type { Database } from '../db/connect';
import type { Logger } from '../log';
import type { QueueConfigMapper } from '../queue-config/mapper';
import type { AgentServices } from './services';

/** What one cycle did, as named counts (e.g. `{ claimed: 12, submitted: 10 }`). */
export type CycleResult = Record<string, number>;

/** Everything a cycle may use; built by the runner once per thread. */
export interface AgentContext {
  readonly db: Database;
  readonly config: HarvesterConfig;
  /** Child logger bound to `{agent, thread}`; add `queue`/`workerID`/`PandaID` per row. */
  readonly log: Logger;
  /** Lock owner id of this thread, `ownerId(agent, thread)`: stamp every claim with it. */
  readonly owner: string;
  readonly thread: number;
  /**
   * Fires when shutdown starts. A long cycle checks it between batches and stops
   * claiming new rows, but finishes and releases what it already holds.
   */
  readonly signal: AbortSignal;
  /** Restricts the cycle to one queue (`harvester agent NAME --once --queue Q`); unset = all queues. */
  readonly queue?: string;
  /**
   * The process's queue configuration, reloaded in place when the cached remote
   * copy or the local file changes; read it per cycle (`getActiveQueues()`),
   * never keep a snapshot across cycles. Unset only in tests that run no queues.
   */
  readonly queueConfig?: QueueConfigMapper;
  /** The system config file this process loaded (relative paths in it resolve against it). */
  readonly configFile?: string;
  /**
   * The process's long-lived services: queue config mapper, plugin factory and
   * upstream communicator (see services.ts). Built once by the master (or
   * `agent NAME --once`); test contexts come from test/helpers/agent-context.ts.
   */
  readonly services: AgentServices;
}

/** One agent: a cycle that claims rows, processes them and releases them. */
export interface Agent {
  readonly name: string;
  cycle(ctx: AgentContext): Promise<CycleResult>;
}

/** How the runner drives an agent's loops. Times in seconds, as in the config file. */
export interface LoopSettings {
  /** Concurrent loops; 0 = agent disabled. */
  nThreads: number;
  sleepTime: number;
  /** Longest a cycle may hold its claims before others may take them over; unset = no overrun warning. */
  lockInterval?: number;
  /** Sleep a uniform 0.4×–1.4× of sleepTime (the original's randomisation) instead of exactly sleepTime. */
  jitter: boolean;
}

/** Describes an agent to the master and runner: its name, loop settings and how to build it. */
export interface AgentFactory {
  readonly name: string;
  settings(config: HarvesterConfig): LoopSettings;
  /** Called once per thread, so threads share no in-memory state (as the original's thread objects). */
  create(config: HarvesterConfig): Agent;
}
