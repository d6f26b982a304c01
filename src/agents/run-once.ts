import type { LevelWithSilent } from 'pino';
import { loadSystemConfig } from '../config/load';
import { releaseAllHeldByProcess } from '../db/claim';
import { openDatabase } from '../db/connect';
import { migrate } from '../db/migrate';
import { createLogger } from '../log';
import { setUpQueueConfig } from '../process-queue-config';
import type { AgentFactory } from './agent';
import { AgentRunner } from './runner';
import { createAgentServices, embeddedWmsApiUrl } from './services';

export interface RunAgentOnceOptions {
  factory: AgentFactory;
  configFile?: string;
  overrides?: string[];
  queue?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * One cycle of one agent, through the same AgentRunner the daemon uses (one
 * thread, once mode), then release and close. Takes no master lock: an operator
 * may run it next to a live master; the claim keeps them apart. Resolves with
 * the exit code: 1 when the cycle threw (it is logged), else 0.
 */
export async function runAgentOnce(opts: RunAgentOnceOptions): Promise<number> {
  const { config, file } = await loadSystemConfig({
    ...(opts.configFile !== undefined ? { file: opts.configFile } : {}),
    overrides: opts.overrides ?? [],
    env: opts.env ?? process.env,
  });
  const log = createLogger({
    name: config.master.loggername || 'harvester',
    ...(config.master.logFile ? { file: config.master.logFile } : {}),
    ...(config.master.logLevel ? { level: config.master.logLevel as LevelWithSilent } : {}),
  });
  const db = await openDatabase(config.db, log);
  let closeServices: () => Promise<void> = async () => undefined;
  try {
    await migrate(db, log);
    // Same queue config as the daemon (throws QueueConfigError on a broken local file); one cycle needs no reload watcher.
    const { mapper } = await setUpQueueConfig({ db, config, configFile: file, log, env: opts.env, cacherFirst: false });
    // With [wms] embedded the upstream is the running master's WMS: a second one would be a different PanDA.
    const apiUrl = embeddedWmsApiUrl(config);
    if (config.wms.embedded && !apiUrl) log.warn('[wms] embedded with port 0: the master\'s WMS cannot be found from here; upstream is [pandacon]');
    const services = createAgentServices({ config, db, log, queueConfig: mapper, ...(apiUrl ? { apiUrl } : {}) });
    closeServices = () => services.close();
    const runner = new AgentRunner({
      db, config, log, once: true, queueConfig: mapper, configFile: file, services, ...(opts.queue !== undefined ? { queue: opts.queue } : {}),
    });
    // Ctrl-C stops claiming and lets the cycle finish; a second one exits at once.
    let interrupted = false;
    const onSignal = (): void => {
      if (interrupted) process.exit(130);
      interrupted = true;
      log.info('interrupt: stop claiming, finishing the running cycle (again to exit at once)');
      void runner.stop(Number.POSITIVE_INFINITY);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      runner.start(opts.factory, { ...opts.factory.settings(config), nThreads: 1 });
      await runner.whenDone();
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    const released = await releaseAllHeldByProcess(db.sql);
    log.debug({ released }, 'released rows held by this process');
    return runner.failures > 0 ? 1 : 0;
  } finally {
    await closeServices();
    await db.close();
    await new Promise<void>((resolve) => log.flush(() => resolve()));
  }
}
