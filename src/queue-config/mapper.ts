/**
 * The queue config every agent reads. Holds one immutable snapshot of the
 * current good configs and swaps it in one assignment, so a reader never sees
 * half a reload. `load(sources)`:
 *
 * - startup (nothing loaded yet): a local file that cannot be read, or any
 *   error coming from a local file, throws a QueueConfigError listing every
 *   problem — the master stops with the queue, attribute and reason.
 * - reload: a queue whose new version is broken keeps its last good version
 *   (status `broken`, with why); the others update. A source that cannot be read
 *   at all keeps the whole current config (merging without it would silently
 *   drop its overrides).
 *
 * Each served config gets a configID from the dump store (qcdump_table), and,
 * with a database, pq_table rows are refreshed for the active queues.
 */
import type { Logger } from '../log';
import type { SqlExecutor } from '../db/sql';
import { queueConfigChecksum, dumpData } from './checksum';
import { MemoryConfigDumpStore, SqlConfigDumpStore, type ConfigDumpStore } from './dump-store';
import { QueueConfigError, formatProblem } from './errors';
import { failedSourceProblem, loadQueueConfig } from './load';
import { fillPandaQueueTable } from './pq-table';
import { DEFAULT_QCONF, isListed, type QconfSettings } from './settings';
import {
  isFailedSource, type Origin, type Problem, type QueueConfig, type QueueState, type QueueStatusEntry, type SourceInput, type SourceKind,
} from './types';
import type { PluginChecker } from './validate';

export interface QueueConfigMapperOptions {
  readonly settings?: Partial<QconfSettings>;
  /** Database for configID dumps and pq_table; without it ids are per process and pq_table is untouched. */
  readonly sql?: SqlExecutor;
  /** Overrides the dump store (default: qcdump_table when `sql` is given, else in memory). */
  readonly dumps?: ConfigDumpStore;
  /** Plugin factory check; without it plugin sections are checked for shape only. */
  readonly checkPlugin?: PluginChecker;
  readonly log?: Logger;
}

interface ServedQueue {
  readonly config: QueueConfig;
  readonly origins: ReadonlyMap<string, Origin>;
  readonly checksum: string;
}

export interface SourceStatus {
  readonly label: string;
  readonly kind: SourceKind;
  readonly ok: boolean;
  readonly error?: string;
}

export interface MapperStatus {
  readonly loadedAt: Date | null;
  readonly sources: readonly SourceStatus[];
  readonly queues: readonly QueueStatusEntry[];
  /** Problems of the last load (warnings included). */
  readonly problems: readonly Problem[];
}

export interface LoadReport {
  readonly startup: boolean;
  /** False when an unreadable source made the mapper keep everything as it was. */
  readonly applied: boolean;
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
  readonly broken: readonly string[];
  readonly problems: readonly Problem[];
}

interface Snapshot {
  readonly served: ReadonlyMap<string, ServedQueue>;
  readonly active: ReadonlyMap<string, QueueConfig>;
  readonly all: ReadonlyMap<string, QueueConfig>;
  readonly status: MapperStatus;
}

const EMPTY: Snapshot = {
  served: new Map(),
  active: new Map(),
  all: new Map(),
  status: { loadedAt: null, sources: [], queues: [], problems: [] },
};

function sourceStatuses(inputs: readonly SourceInput[]): SourceStatus[] {
  return inputs.map((s) => (isFailedSource(s) ? { label: s.label, kind: s.kind, ok: false, error: s.error } : { label: s.label, kind: s.kind, ok: true }));
}

export class QueueConfigMapper {
  private snapshot: Snapshot = EMPTY;
  private loading: Promise<unknown> = Promise.resolve();
  private readonly settings: QconfSettings;
  private readonly dumps: ConfigDumpStore;
  private readonly byId = new Map<number, QueueConfig>();

  constructor(private readonly opts: QueueConfigMapperOptions = {}) {
    this.settings = { ...DEFAULT_QCONF, ...opts.settings };
    this.dumps = opts.dumps ?? (opts.sql ? new SqlConfigDumpStore(opts.sql) : new MemoryConfigDumpStore());
  }

  /** True once a load succeeded. */
  get loaded(): boolean {
    return this.snapshot.status.loadedAt !== null;
  }

  /**
   * Loads `sources` (in order; remote over file) and swaps the result in.
   * Calls are serialized: a second load waits for the first.
   */
  load(sources: readonly SourceInput[]): Promise<LoadReport> {
    const run = this.loading.then(() => this.loadNow(sources));
    this.loading = run.catch(() => undefined);
    return run;
  }

  private async loadNow(inputs: readonly SourceInput[]): Promise<LoadReport> {
    const startup = !this.loaded;
    const current = this.snapshot;
    const log = this.opts.log;
    const failed = inputs.filter(isFailedSource);

    if (failed.length) {
      const problems = failed.map(failedSourceProblem);
      if (startup && failed.some((f) => f.kind === 'file')) {
        throw new QueueConfigError('queue config: cannot load the local queue config file', problems);
      }
      if (!startup) {
        for (const p of problems) log?.error({ source: p.source }, `queue config reload skipped, keeping the last good config: ${formatProblem(p)}`);
        this.snapshot = { ...current, status: { ...current.status, sources: sourceStatuses(inputs), problems } };
        return { startup, applied: false, added: [], changed: [], removed: [], broken: [], problems };
      }
      // Startup with an unreadable remote: serve the local file now, the next reload picks the remote up.
      for (const p of problems) log?.warn({ source: p.source }, `queue config source skipped at startup: ${formatProblem(p)}`);
    }

    const result = await loadQueueConfig(inputs, {
      defaultTemplateQueueName: this.settings.defaultTemplateQueueName,
      checkPlugin: this.opts.checkPlugin,
      alreadyChecked: (name, checksum) => current.served.get(name)?.checksum === checksum,
    });

    if (startup) {
      const local = result.problems.filter((p) => p.severity === 'error' && p.sourceKind !== 'remote');
      if (local.length) throw new QueueConfigError(`queue config: ${local.length} problem(s) in the local queue config`, result.problems);
    }

    const served = new Map<string, ServedQueue>();
    const statuses: QueueStatusEntry[] = [];
    const added: string[] = [];
    const changed: string[] = [];
    const broken: string[] = [];
    for (const q of result.queues.values()) {
      const previous = current.served.get(q.queueName);
      if (q.ok) {
        const configID = await this.dumps.idFor(q.queueName, q.checksum, dumpData(q.config));
        const config: QueueConfig = { ...q.config, configID };
        served.set(q.queueName, { config, origins: q.origins, checksum: q.checksum });
        this.byId.set(configID, config);
        if (!previous) added.push(q.queueName);
        else if (previous.checksum !== q.checksum || previous.config.queueStatus !== config.queueStatus) changed.push(q.queueName);
        statuses.push(this.statusOf(config, q.problems));
      } else {
        broken.push(q.queueName);
        for (const p of q.problems) if (p.severity === 'error') log?.error({ queue: q.queueName, attribute: p.attribute, source: p.source }, formatProblem(p));
        if (previous) served.set(q.queueName, previous);
        statuses.push({
          queueName: q.queueName,
          state: 'broken',
          reason: previous ? `${q.broken} (serving the last good version)` : q.broken,
          configID: previous?.config.configID ?? null,
          serving: previous !== undefined,
          servingLastGood: previous !== undefined,
          problems: q.problems,
        });
      }
    }
    const removed = [...current.served.keys()].filter((n) => !result.queues.has(n));

    const all = new Map([...served].map(([n, s]) => [n, s.config]));
    const active = new Map([...all].filter(([, c]) => this.isActive(c)));
    this.snapshot = {
      served,
      all,
      active,
      status: { loadedAt: new Date(), sources: sourceStatuses(inputs), queues: statuses, problems: result.problems },
    };

    if (this.opts.sql) {
      try {
        await fillPandaQueueTable(this.opts.sql, [...active.values()]);
      } catch (err) {
        // pq_table is refreshed on every load; one failed refresh must not undo a good config.
        log?.warn({ err }, 'queue config: pq_table refresh failed; retried on the next load');
      }
    }
    if (added.length || changed.length || removed.length || broken.length) {
      log?.info({ added, changed, removed, broken }, 'queue config loaded');
    }
    return { startup, applied: true, added, changed, removed, broken, problems: result.problems };
  }

  private isActive(c: QueueConfig): boolean {
    return c.queueStatus !== 'offline' && isListed(c.queueName, this.settings.queueList);
  }

  private statusOf(config: QueueConfig, problems: readonly Problem[]): QueueStatusEntry {
    let state: QueueState = 'active';
    let reason: string | undefined;
    if (config.queueStatus === 'offline') {
      state = 'offline';
      reason = 'queueStatus is offline';
    } else if (!isListed(config.queueName, this.settings.queueList)) {
      state = 'not-listed';
      reason = `not in [qconf] queueList (${this.settings.queueList.join(', ')})`;
    }
    return { queueName: config.queueName, state, reason, configID: config.configID, serving: true, servingLastGood: false, problems };
  }

  /** The current config of a queue, whatever its status (the original's get_queue). */
  getQueue(queueName: string): QueueConfig | undefined {
    return this.snapshot.all.get(queueName);
  }

  hasQueue(queueName: string): boolean {
    return this.snapshot.all.has(queueName);
  }

  /** Every served queue, offline and unlisted ones included. */
  getAllQueues(): ReadonlyMap<string, QueueConfig> {
    return this.snapshot.all;
  }

  /** Queues agents work on: not offline and in `[qconf] queueList` (or ALL). */
  getActiveQueues(): ReadonlyMap<string, QueueConfig> {
    return this.snapshot.active;
  }

  /** Where each value of a queue's current config came from (`submitter.nCore` → file/remote/template/...). */
  getOrigins(queueName: string): ReadonlyMap<string, Origin> | undefined {
    return this.snapshot.served.get(queueName)?.origins;
  }

  status(): MapperStatus {
    return this.snapshot.status;
  }

  /**
   * The config a job or worker was created with. Served and recently seen
   * versions come from memory, older ones from qcdump_table. `queueStatus` is
   * not part of a dump: it is taken from the queue's current config (online
   * when the queue is gone).
   */
  async getQueueConfigByID(configID: number): Promise<QueueConfig | undefined> {
    const known = this.byId.get(configID);
    if (known) return this.withCurrentStatus(known);
    const dump = await this.dumps.load(configID);
    if (!dump) return undefined;
    const config = { ...(dump.data as unknown as QueueConfig), configID: dump.configID, queueStatus: 'online' } as QueueConfig;
    if (queueConfigChecksum(config) !== dump.checksum) {
      this.opts.log?.warn({ configID, queue: dump.queueName }, 'queue config dump checksum differs from its data (written by another version?)');
    }
    this.byId.set(configID, config);
    return this.withCurrentStatus(config);
  }

  private withCurrentStatus(config: QueueConfig): QueueConfig {
    const current = this.snapshot.all.get(config.queueName);
    const queueStatus = current?.queueStatus ?? 'online';
    return config.queueStatus === queueStatus ? config : { ...config, queueStatus };
  }

  /** The original's `get_queue(name, configID)`: that version when given and known, else the current one. */
  async getQueueConfig(queueName: string, configID?: number | null): Promise<QueueConfig | undefined> {
    if (configID !== undefined && configID !== null) {
      const byId = await this.getQueueConfigByID(configID);
      if (byId) return byId;
    }
    return this.getQueue(queueName);
  }
}
