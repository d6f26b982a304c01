import type { Communicator } from '../plugins/communicator';
import type { PluginFactory } from '../plugins/factory';
import type { QueueConfigMapper } from '../queue-config/mapper';

/** Whether the upstream (PanDA or the embedded WMS) answered the last call. */
export interface UpstreamHealth {
  reachable: boolean;
  /** Since when the current state holds. */
  since?: Date;
  lastError?: string;
}

/**
 * The long-lived services the master builds once per process and every agent
 * cycle uses through `ctx.services`: the queue configuration (reloaded in place
 * by the cacher/reload loop), the plugin factory (instances cached per queue and
 * configID) and the upstream communicator (PanDA client or the embedded WMS).
 */
export interface AgentServices {
  readonly queueConfig: QueueConfigMapper;
  readonly plugins: PluginFactory;
  readonly upstream: Communicator;
  /**
   * Health of the upstream as seen by the communicator. The job fetcher pauses
   * while it is unreachable; updates stay pending in the database meanwhile.
   */
  upstreamHealth(): UpstreamHealth;
}
