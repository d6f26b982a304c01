import type { PluginCategory, PluginTypes } from '../../plugins/categories';
import type { QueueConfig } from '../../queue-config/types';
import type { AgentContext } from '../agent';
import type { AgentServices } from '../services';

/** The process services of a cycle, with the agent named when a runner was built without them. */
export function servicesOf(ctx: AgentContext, agent: string): AgentServices {
  if (!ctx.services) throw new Error(`${agent}: ctx.services is not set (the runner was built without AgentServices)`);
  return ctx.services;
}

/** Plugin sections of a queue config, keyed by the category they resolve to. */
type QueuePluginSection = 'monitor' | 'messenger' | 'sweeper';

/**
 * The plugin of one section of a queue config version, from the process's
 * factory (cached per queue + configID, so a worker keeps the plugins it was
 * submitted with).
 */
export async function queuePlugin<S extends QueuePluginSection & PluginCategory>(
  services: AgentServices, qc: QueueConfig, section: S,
): Promise<PluginTypes[S]> {
  return services.plugins.get({
    category: section,
    config: qc[section],
    queueName: qc.queueName,
    siteName: qc.siteName,
    configID: qc.configID,
    common: qc.common,
  });
}

/** A worker's queue config: the version it was submitted with when still known, else the current one. */
export async function workerQueueConfig(services: AgentServices, queueName: string, configID: number | null | undefined): Promise<QueueConfig | undefined> {
  return services.queueConfig.getQueueConfig(queueName, configID ?? null);
}
