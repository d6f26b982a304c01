import type { Logger } from '../log';
import type { PluginCategory, PluginTypes } from '../plugins/categories';
import type { PluginConfig } from '../plugins/factory';
import type { OutcomeResult } from '../plugins/types';
import type { QueueConfig } from '../queue-config/types';
import type { AgentContext } from './agent';

/**
 * Plugin lookup for agents that work on job rows (preparator, stager): the
 * job's queue config and the plugin of one of its sections, through
 * `ctx.services` (mapper + factory), and a guard around plugin calls.
 */

/**
 * The queue config a job's plugins come from. With `[master]
 * dynamic_plugin_change` the version the job was fetched under (its
 * configID), else the queue's current config (facts §6.1).
 */
export async function queueConfigForJob(ctx: AgentContext, job: { computingSite: string; configID?: number | null }): Promise<QueueConfig | undefined> {
  const configID = ctx.config.master.dynamic_plugin_change ? job.configID ?? null : null;
  return ctx.services.queueConfig.getQueueConfig(job.computingSite, configID);
}

/**
 * Whether a section's module came from the operator's local file (a path
 * module is honoured only then; see PluginRequest.trustedPaths), and from
 * which file. Same rule as the mapper's plugin check at load time.
 */
function sectionSource(ctx: AgentContext, queue: QueueConfig, section: string): { trusted: boolean; file?: string } {
  const mapper = ctx.services.queueConfig;
  const origins = mapper.getOrigins(queue.queueName);
  const origin = origins?.get(`${section}.module`) ?? origins?.get(section);
  if (!origin) return { trusted: false };
  if (origin.kind === 'file') return { trusted: true, file: origin.source };
  if (origin.kind === 'template' && origin.source !== undefined) {
    const fromFile = mapper.status().sources.some((s) => s.kind === 'file' && s.label === origin.source);
    return fromFile ? { trusted: true, file: origin.source } : { trusted: false };
  }
  return { trusted: false };
}

/**
 * The cached plugin instance of `section` for this queue version. `config`
 * defaults to the queue's entry of that section; pass another entry to use a
 * plugin in a second role (the stager plugin as the zipper).
 * @throws PluginError naming queue, section, module and class
 */
export async function queuePlugin<C extends PluginCategory>(
  ctx: AgentContext, queue: QueueConfig, category: C, section: string, config?: PluginConfig,
): Promise<PluginTypes[C]> {
  const entry = config ?? (queue as unknown as Record<string, PluginConfig | null | undefined>)[section];
  if (!entry) throw new Error(`queue "${queue.queueName}" has no "${section}" section`);
  const source = sectionSource(ctx, queue, section);
  return ctx.services.plugins.get({
    category,
    config: entry,
    queueName: queue.queueName,
    siteName: queue.siteName,
    configID: queue.configID,
    section,
    common: queue.common,
    ...(source.file !== undefined ? { configFile: source.file } : {}),
    trustedPaths: source.trusted,
  });
}

/**
 * Runs a plugin call. A throw or a malformed answer becomes `pending` (the job
 * is released and retried later; never a job failure), logged with the job's
 * context. The cast is sound for the staging results: beside status and diag
 * every field of them is optional.
 */
export async function guardedCall<T extends OutcomeResult>(what: string, log: Logger, fn: () => Promise<T>): Promise<T> {
  try {
    const res = await fn();
    if (res && (res.status === 'done' || res.status === 'pending' || res.status === 'failed')) return res;
    log.error({ result: res as unknown }, `${what}: plugin returned no valid status; retried later`);
    return { status: 'pending', diag: `${what}: invalid plugin result` } as T;
  } catch (err) {
    log.error({ err }, `${what} threw; retried later`);
    return { status: 'pending', diag: `${what} threw: ${err instanceof Error ? err.message : String(err)}` } as T;
  }
}
