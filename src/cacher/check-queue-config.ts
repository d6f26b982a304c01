/**
 * Dry run of a fetched remote queue config before the cacher stores it: the
 * document is merged with the local file and validated exactly as the mapper
 * would at reload. The remote is refused when it brings errors the local file
 * alone does not have — so a broken local file (reported by the mapper itself)
 * cannot block remote updates, and a broken remote never reaches the cache.
 */
import { collectQueueConfigSources } from '../queue-config/bootstrap';
import { formatProblem } from '../queue-config/errors';
import { loadQueueConfig } from '../queue-config/load';
import { qconfSettingsFrom } from '../queue-config/settings';
import { sourceFromDocument } from '../queue-config/sources';
import { isFailedSource, type Problem } from '../queue-config/types';
import type { PluginChecker } from '../queue-config/validate';

export interface QueueConfigCheckOptions {
  /** The `[qconf]` section. */
  readonly qconf: object;
  readonly systemConfigFile?: string;
  readonly checkPlugin?: PluginChecker;
  readonly env?: NodeJS.ProcessEnv;
}

export type QueueConfigCheck = { readonly ok: true; readonly queues: number } | { readonly ok: false; readonly error: string; readonly problems: readonly Problem[] };

/** Identity of a problem regardless of which source label it carries. */
const problemKey = (p: Problem): string => `${p.queue}|${p.attribute ?? ''}|${p.reason}`;

export async function checkRemoteQueueConfig(label: string, doc: unknown, opts: QueueConfigCheckOptions): Promise<QueueConfigCheck> {
  const remote = sourceFromDocument(label, 'remote', doc);
  if (isFailedSource(remote)) return { ok: false, error: remote.error, problems: [] };
  const settings = qconfSettingsFrom(opts.qconf);
  // sql omitted: only the local file, never the currently cached remote.
  const local = await collectQueueConfigSources({ settings, systemConfigFile: opts.systemConfigFile, env: opts.env });
  const loadOpts = { defaultTemplateQueueName: settings.defaultTemplateQueueName, checkPlugin: opts.checkPlugin };
  const [baseline, candidate] = await Promise.all([loadQueueConfig(local, loadOpts), loadQueueConfig([...local, remote], loadOpts)]);
  const known = new Set(baseline.problems.filter((p) => p.severity === 'error').map(problemKey));
  const introduced = candidate.problems.filter((p) => p.severity === 'error' && !known.has(problemKey(p)));
  if (introduced.length === 0) return { ok: true, queues: Object.keys(remote.data).length };
  const shown = introduced.slice(0, 5).map(formatProblem).join('; ');
  const more = introduced.length > 5 ? ` (and ${introduced.length - 5} more)` : '';
  return { ok: false, error: `invalid queue config: ${shown}${more}`, problems: introduced };
}
