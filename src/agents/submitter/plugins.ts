import type { PluginCategory, PluginTypes } from '../../plugins/categories';
import type { PluginFactory } from '../../plugins/factory';
import type { QueueConfigMapper } from '../../queue-config/mapper';
import type { PluginConfig, QueueConfig } from '../../queue-config/types';

/**
 * The cached plugin instance of one queue-config section. Path modules are
 * allowed only for sections that came from the operator's local file (as the
 * queue-config validation decided when it loaded them).
 */
export function queuePlugin<C extends PluginCategory>(
  factory: PluginFactory, mapper: QueueConfigMapper, queue: QueueConfig, category: C, section: string, config: PluginConfig,
): Promise<PluginTypes[C]> {
  const origin = mapper.getOrigins(queue.queueName)?.get(`${section}.module`) ?? mapper.getOrigins(queue.queueName)?.get(section);
  const fromFile = origin?.kind === 'file';
  return factory.get({
    category,
    config,
    queueName: queue.queueName,
    siteName: queue.siteName,
    configID: queue.configID,
    section,
    common: queue.common,
    ...(fromFile && origin?.source ? { configFile: origin.source } : {}),
    trustedPaths: fromFile,
  });
}

/** The plugins one submission round uses. */
export interface SubmitterPlugins {
  readonly workerMaker: PluginTypes['workerMaker'];
  readonly messenger: PluginTypes['messenger'];
  readonly submitter: PluginTypes['submitter'];
}

export async function submitterPlugins(factory: PluginFactory, mapper: QueueConfigMapper, q: QueueConfig): Promise<SubmitterPlugins> {
  const [workerMaker, messenger, submitter] = await Promise.all([
    queuePlugin(factory, mapper, q, 'workerMaker', 'workerMaker', q.workerMaker),
    queuePlugin(factory, mapper, q, 'messenger', 'messenger', q.messenger),
    queuePlugin(factory, mapper, q, 'submitter', 'submitter', q.submitter),
  ]);
  return { workerMaker, messenger, submitter };
}
