import path from 'node:path';
import type { LevelWithSilent } from 'pino';
import type { AgentFactory } from './agents/agent';
import { acquirePidFile, type PidFile } from './agents/pid-file';
import { agentFactories } from './agents/registry';
import { AgentRunner } from './agents/runner';
import { createAgentServices, type ProcessServices } from './agents/services';
import { loadSystemConfig } from './config/load';
import type { HarvesterConfig } from './config/schema';
import { releaseAllHeldByProcess } from './db/claim';
import { openDatabase, type Database } from './db/connect';
import { migrate } from './db/migrate';
import { createLogger, type Logger } from './log';
import { localOutputDirs } from './progress/output-dirs';
import { ProgressReporter } from './progress/reporter';
import { setUpQueueConfig } from './process-queue-config';
import type { QueueConfigMapper } from './queue-config/mapper';
import type { QueueConfigReloadWatcher } from './queue-config/reload-watcher';
import { startWms, type WmsHandle } from './wms/server';

export interface MasterOptions {
  /** System config file; default as `loadSystemConfig` (HARVESTER_CONFIG, etc/harvester.cfg). */
  configFile?: string;
  /** `section.key=value` overrides (CLI `--set`). */
  overrides?: string[];
  /** Extra agents started after the registry's (tests use a slow or throwing one). */
  agents?: AgentFactory[];
  /** Every agent runs one cycle, then the master shuts down (the original's `--single`). */
  once?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Exit code of an immediate exit on a second stop request (as a shell reports SIGINT). */
export const EXIT_FORCED = 130;

/**
 * The same signal again within this time is the same request, not a second
 * one: a Ctrl-C under `npm start` reaches harvester twice when npm's script
 * shell execs node (bash as /bin/sh): from the terminal and forwarded by npm.
 */
export const DUPLICATE_SIGNAL_MS = 300;

/**
 * Files that guard against a second master. On sqlite the guard sits next to the
 * database file (`<database_filename>.master.lock`), so it is per database and
 * two setups in one working directory do not collide. master.pidFile, when set
 * (its default is empty: on MariaDB N instances share a working directory; a
 * per-instance name can use `${NODE_APP_INSTANCE}`), is taken exclusively as well.
 */
export function masterLockFiles(config: HarvesterConfig): Array<{ file: string; what: string }> {
  const files: Array<{ file: string; what: string }> = [];
  const dbFile = config.db.database_filename;
  if (config.db.engine === 'sqlite' && dbFile && dbFile !== ':memory:') {
    files.push({ file: path.resolve(`${dbFile}.master.lock`), what: `sqlite database ${path.resolve(dbFile)}` });
  }
  const pidFile = config.master.pidFile;
  if (pidFile && !files.some((f) => f.file === path.resolve(pidFile))) {
    files.push({ file: path.resolve(pidFile), what: `pid file ${path.resolve(pidFile)}` });
  }
  return files;
}

/**
 * Runs the master until it is stopped: load config, take the lock file, open and
 * migrate the database, start every enabled agent, report ready; on SIGINT,
 * SIGTERM or PM2's 'shutdown' message drain and release. Resolves with the exit
 * code for the caller to exit with (handles such as an IPC channel may remain).
 * Throws ConfigError for a bad config, MasterRunningError for a second master
 * and QueueConfigError (listing every problem) for a broken local queue config.
 */
export async function runMaster(opts: MasterOptions = {}): Promise<number> {
  const { config, file } = await loadSystemConfig({
    ...(opts.configFile !== undefined ? { file: opts.configFile } : {}),
    overrides: opts.overrides ?? [],
    env: opts.env ?? process.env,
  });
  const level = config.master.logLevel ? (config.master.logLevel as LevelWithSilent) : undefined;
  const log = createLogger({
    name: config.master.loggername || 'harvester',
    ...(level ? { level } : {}),
    ...(config.master.logFile ? { file: config.master.logFile } : {}),
    format: config.master.logFormat,
  });
  return new Master(config, file, log, opts, masterLockFiles(config)).run();
}

/** One master's lifecycle: starting → running → stopping → stopped. */
class Master {
  private stopReason: string | undefined;
  private stopRequestedAt = 0;
  private wakeForStop: () => void = () => undefined;
  private readonly stopRequested = new Promise<void>((resolve) => {
    this.wakeForStop = resolve;
  });
  private readonly handlers: Array<[string, (...args: never[]) => void]> = [];

  constructor(
    private readonly config: HarvesterConfig,
    private readonly configFile: string,
    private readonly log: Logger,
    private readonly opts: MasterOptions,
    private readonly lockFiles: Array<{ file: string; what: string }>,
  ) {}

  async run(): Promise<number> {
    this.installHandlers();
    const pidFiles: PidFile[] = [];
    let db: Database | undefined;
    let watcher: QueueConfigReloadWatcher | undefined;
    let wms: WmsHandle | undefined;
    let services: ProcessServices | undefined;
    let exitCode: number | undefined;
    try {
      for (const { file, what } of this.lockFiles) {
        const pidFile = acquirePidFile(file, what);
        pidFiles.push(pidFile);
        if (pidFile.tookOverFrom) {
          this.log.warn({ file, previous: pidFile.tookOverFrom }, 'took over a stale master lock file (its process is gone)');
        }
      }
      db = await openDatabase(this.config.db, this.log);
      const { applied } = await migrate(db, this.log);
      this.log.info({ engine: this.config.db.engine, applied }, 'database ready');
      // As the original: the cacher runs once, forced, before anything reads the queue config.
      const queueConfig = await setUpQueueConfig({ db, config: this.config, configFile: this.configFile, log: this.log, env: this.opts.env, cacherFirst: true });
      watcher = queueConfig.watcher;
      // The embedded WMS listens before any agent calls upstream; the client is pointed at it.
      wms = await this.startEmbeddedWms();
      services = createAgentServices({
        config: this.config, db, log: this.log, queueConfig: queueConfig.mapper, ...(wms ? { apiUrl: wms.apiUrl } : {}),
      });
      exitCode = await this.runAgents(db, queueConfig.mapper, watcher, services, wms);
      return exitCode;
    } catch (err) {
      this.log.fatal({ err }, 'master failed');
      throw err;
    } finally {
      // The watcher reads the database: stop it (and wait for a running check) before closing.
      await watcher?.stop();
      // After the agents stopped (their last updates went out), before the database closes.
      await this.closeUpstream(services, wms);
      if (db) await this.closeDatabase(db);
      for (const p of pidFiles) p.release();
      this.removeHandlers();
      this.log.info(exitCode === undefined ? {} : { exitCode }, 'master stopped');
      await new Promise<void>((resolve) => this.log.flush(() => resolve()));
    }
  }

  private async runAgents(
    db: Database, queueConfig: QueueConfigMapper, watcher: QueueConfigReloadWatcher, services: ProcessServices, wms: WmsHandle | undefined,
  ): Promise<number> {
    const runner = new AgentRunner({
      db, config: this.config, log: this.log, once: this.opts.once ?? false, queueConfig, configFile: this.configFile, services,
    });
    const started: Record<string, number> = {};
    // A stop request that arrived while the database was opening starts no agent.
    if (this.stopReason === undefined) {
      for (const factory of [...agentFactories, ...(this.opts.agents ?? [])]) {
        const n = runner.start(factory);
        if (n > 0) started[factory.name] = n;
      }
    }
    // In once mode the config cannot change under a single cycle worth reloading for.
    if (!this.opts.once) watcher.start();
    this.log.info({ agents: started, once: this.opts.once ?? false, harvester_id: this.config.master.harvester_id }, 'master up');
    this.sendReady();
    const progress = this.opts.once ? undefined : this.startProgress(db, queueConfig, wms);

    await Promise.race([this.stopRequested, ...(this.opts.once ? [runner.whenDone()] : [])]);
    await progress?.stop();

    const graceMs = this.graceTimeSec() * 1000;
    if (this.stopReason !== undefined) {
      this.log.info({ running: runner.running(), graceTime: this.graceTimeSec() }, 'stopped claiming; waiting for running cycles');
    }
    const outcome = await runner.stop(graceMs);
    if (outcome.drained) {
      this.log.info({ cycles: runner.cycles, failures: runner.failures }, 'all agent loops ended');
    } else {
      this.log.warn(
        { stillRunning: outcome.stillRunning, graceTime: this.graceTimeSec() },
        'grace time over with cycles still running: releasing their rows anyway (their owner-checked writes will change nothing)',
      );
    }
    await this.releaseHeldRows(db);
    // In once mode a failed cycle is the result the caller asked for.
    return this.opts.once && runner.failures > 0 ? 1 : 0;
  }

  /** `[master] progressInterval`: the periodic progress line (off at 0). */
  private startProgress(db: Database, queueConfig: QueueConfigMapper, wms: WmsHandle | undefined): ProgressReporter | undefined {
    const intervalSec = Number(this.config.master.progressInterval);
    if (!(intervalSec > 0)) return undefined;
    const reporter = new ProgressReporter({
      db, log: this.log, intervalSec,
      ...(wms ? { upstream: () => wms.store.jobCountsByStatus() } : {}),
      outputDirs: localOutputDirs(queueConfig),
      stateFile: this.config.wms.stateFile,
    });
    reporter.start();
    return reporter;
  }

  private async releaseHeldRows(db: Database): Promise<void> {
    try {
      const released = await releaseAllHeldByProcess(db.sql);
      this.log.info({ released }, 'released every row held by this process');
    } catch (err) {
      // Not fatal: lockInterval expiry frees them for the next claimer anyway.
      this.log.error({ err }, 'releasing held rows failed; they become claimable again after lockInterval');
    }
  }

  /** `[wms] embedded`: the in-process PanDA stand-in (default setup and tests). */
  private async startEmbeddedWms(): Promise<WmsHandle | undefined> {
    const w = this.config.wms;
    if (!w.embedded) return undefined;
    const wms = await startWms({
      host: w.host, port: w.port, log: this.log,
      ...(w.jobsFile ? { jobsFile: w.jobsFile } : {}),
      ...(w.stateFile ? { stateFile: w.stateFile } : {}),
    });
    this.log.info({ url: wms.url, jobsFile: w.jobsFile || null, stateFile: w.stateFile || null }, 'embedded WMS started; upstream is this WMS');
    return wms;
  }

  private async closeUpstream(services: ProcessServices | undefined, wms: WmsHandle | undefined): Promise<void> {
    try {
      await services?.close();
      await wms?.close();
      if (wms) this.log.info('embedded WMS closed');
    } catch (err) {
      this.log.error({ err }, 'closing the upstream client or the embedded WMS failed');
    }
  }

  private async closeDatabase(db: Database): Promise<void> {
    try {
      await db.close();
      this.log.info('database closed');
    } catch (err) {
      this.log.error({ err }, 'closing the database failed');
    }
  }

  private graceTimeSec(): number {
    const g = Number(this.config.master.shutdownGraceTime);
    return Number.isFinite(g) && g >= 0 ? g : 30;
  }

  private sendReady(): void {
    if (!process.send || !process.connected) return;
    try {
      process.send('ready');
    } catch (err) {
      this.log.warn({ err }, "could not send 'ready' to the parent process");
    }
  }

  /** First request: drain. Second: exit at once; lockInterval expiry recovers the rows. */
  private requestStop(reason: string): void {
    if (this.stopReason === reason && Date.now() - this.stopRequestedAt < DUPLICATE_SIGNAL_MS) {
      this.log.info({ reason }, `the same stop signal again within ${DUPLICATE_SIGNAL_MS} ms: taken as the same request (send it again to exit at once)`);
      return;
    }
    if (this.stopReason !== undefined) {
      this.log.fatal({ reason, firstReason: this.stopReason }, 'second stop request: exiting at once without draining');
      this.log.flush();
      process.exit(EXIT_FORCED);
    }
    this.stopReason = reason;
    this.stopRequestedAt = Date.now();
    this.log.info({ reason, graceTime: this.graceTimeSec() }, 'shutdown requested: stop claiming, drain running cycles, release rows');
    this.wakeForStop();
  }

  private installHandlers(): void {
    const on = (event: string, fn: (...args: never[]) => void): void => {
      process.on(event as NodeJS.Signals, fn as () => void);
      this.handlers.push([event, fn]);
    };
    on('SIGINT', () => this.requestStop('SIGINT'));
    on('SIGTERM', () => this.requestStop('SIGTERM'));
    // PM2 with shutdown_with_message sends this instead of a signal.
    on('message', (msg: unknown) => {
      if (msg === 'shutdown') this.requestStop('shutdown message');
    });
    // State lives in the database, so a crash loses nothing: log, exit 1, let PM2 restart.
    on('uncaughtException', (err: Error) => {
      this.log.fatal({ err }, 'uncaught exception: exiting');
      process.exit(1);
    });
    on('unhandledRejection', (reason: unknown) => {
      this.log.fatal({ err: reason }, 'unhandled promise rejection: exiting');
      process.exit(1);
    });
  }

  private removeHandlers(): void {
    for (const [event, fn] of this.handlers) process.removeListener(event as NodeJS.Signals, fn as () => void);
    this.handlers.length = 0;
  }
}
