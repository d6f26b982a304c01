/**
 * Keeps a process's queue config current without a restart. Every
 * `[qconf] checkInterval` seconds it reads one timestamp — the cache_table
 * `lastUpdate` of the remote copy the cacher stores — and reloads the mapper
 * when it moved; every `updateInterval` seconds it reloads anyway (local file
 * edits). The check is one indexed row read, so every process of a fleet can
 * afford it; only the cacher's lock holder fetches from the URL.
 */
import { fromSqlDateTime } from '../db/dates';
import type { SqlExecutor } from '../db/sql';
import type { Logger } from '../log';
import { QUEUE_CONFIG_CACHE_KEY } from './cache-source';
import type { LoadReport, QueueConfigMapper } from './mapper';
import type { SourceInput } from './types';

export interface ReloadWatcherOptions {
  readonly mapper: QueueConfigMapper;
  readonly sql: SqlExecutor;
  /** The sources as at startup (local file, then the cached remote copy). */
  readonly loadSources: () => Promise<SourceInput[]>;
  readonly log: Logger;
  readonly checkIntervalSec: number;
  readonly updateIntervalSec: number;
  /** False when no remote queue config is configured: only the periodic reload runs. */
  readonly watchCache: boolean;
  /** `readQueueConfigStamp` taken right before the mapper's first load, so a change in between is not missed. */
  readonly initialStamp: string | null;
}

/** cache_table.lastUpdate of the cached remote queue config (ISO), or null when none is stored. */
export async function readQueueConfigStamp(sql: SqlExecutor): Promise<string | null> {
  const rows = await sql.all<{ lastUpdate: unknown }>('SELECT lastUpdate FROM cache_table WHERE mainKey = ?', [QUEUE_CONFIG_CACHE_KEY]);
  const d = rows[0] ? fromSqlDateTime(rows[0].lastUpdate) : null;
  return d ? d.toISOString() : null;
}

export type ReloadTrigger = 'cache' | 'interval' | 'forced';

export class QueueConfigReloadWatcher {
  private stamp: string | null;
  private lastReloadMs = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly opts: ReloadWatcherOptions) {
    this.stamp = opts.watchCache ? opts.initialStamp : null;
  }

  private async readStamp(): Promise<string | null> {
    return this.opts.watchCache ? readQueueConfigStamp(this.opts.sql) : null;
  }

  /** One check: reloads when the cached copy moved or updateInterval passed. Never throws (a failed check is retried next interval). */
  async check(): Promise<LoadReport | undefined> {
    try {
      const stamp = await this.readStamp();
      const due = Date.now() - this.lastReloadMs >= this.opts.updateIntervalSec * 1000;
      if (stamp === this.stamp && !due) return undefined;
      const trigger: ReloadTrigger = stamp !== this.stamp ? 'cache' : 'interval';
      const report = await this.reload(trigger);
      this.stamp = stamp;
      return report;
    } catch (err) {
      this.opts.log.warn({ err }, 'queue config reload check failed; the current config stays, retrying next check');
      return undefined;
    }
  }

  /** Reloads now from the current sources; the mapper keeps a broken queue at its last good version. */
  async reload(trigger: ReloadTrigger): Promise<LoadReport> {
    const report = await this.opts.mapper.load(await this.opts.loadSources());
    this.lastReloadMs = Date.now();
    const { added, changed, removed, broken } = report;
    const anything = added.length + changed.length + removed.length + broken.length > 0;
    const configIDs = Object.fromEntries([...this.opts.mapper.getAllQueues()].map(([name, c]) => [name, c.configID]));
    this.opts.log[anything ? 'info' : 'debug'](
      { trigger, applied: report.applied, added, changed, removed, broken, configIDs },
      anything ? 'queue config reloaded' : 'queue config reloaded (no change)',
    );
    return report;
  }

  start(): void {
    this.stopped = false;
    const tick = (): void => {
      this.timer = setTimeout(() => {
        this.inFlight = this.check().finally(() => {
          if (!this.stopped) tick();
        });
      }, Math.max(1, this.opts.checkIntervalSec) * 1000);
      // The master's own lifecycle decides when the process ends, not this timer.
      this.timer.unref();
    };
    tick();
  }

  /** Stops the timer and waits for a running check, so the database can be closed after. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }
}
