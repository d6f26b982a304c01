import { describe, expect, expectTypeOf, it } from 'vitest';
import { ENV_BINDINGS, envNameFor } from '../../src/config/env';
import type { AnyLeaf } from '../../src/config/leaf';
import { allLeaves, SECRET_KEYS, schema, SECTION_DOCS, type HarvesterConfig } from '../../src/config/schema';

describe('schema', () => {
  it('has the original sections and our engine keys', () => {
    expect(Object.keys(schema)).toEqual(expect.arrayContaining([
      'master', 'db', 'fifo', 'communicator', 'pandacon', 'qconf', 'frontend', 'payload_interaction',
      'jobfetcher', 'propagator', 'preparator', 'submitter', 'monitor', 'stager', 'zipper', 'sweeper', 'cacher',
      'credmanager', 'commandmanager', 'eventfeeder', 'watcher', 'service_monitor', 'file_syncer', 'apfmon',
    ]));
    for (const s of Object.keys(schema)) expect(SECTION_DOCS).toHaveProperty(s);
  });

  // Defaults from the original (facts §2, §7.3); a changed default must be deliberate.
  it.each([
    ['jobfetcher', { nThreads: 3, nQueues: 5, maxJobs: 500, lookupTime: 60, sleepTime: 60 }],
    ['propagator', { maxJobs: 100, nJobsInBulk: 100, maxWorkers: 100, nWorkersInBulk: 100, maxDialogs: 50, minMessageLevel: 'WARNING', lockInterval: 600, updateInterval: 1800, sleepTime: 60 }],
    ['preparator', { maxJobsToCheck: 100, maxJobsToTrigger: 100, maxFilesPerJobToCheck: 0, maxFilesPerJobToPrepare: 0, lockInterval: 600, checkInterval: 180, triggerInterval: 180, sleepTime: 60 }],
    ['submitter', { nQueues: 3, lookupTime: 60, queueLockInterval: 300, lockInterval: 600, checkInterval: 60, minSubmissionInterval: 0, sleepTime: 60, maxNewWorkers: 1000, respectSleepTime: false, activateWorkerFactor: 1 }],
    ['monitor', { maxWorkers: 500, lockInterval: 600, checkInterval: 300, checkTimeout: 3600, sleepTime: 600, fifoEnable: false, workerQueueTimeLimit: 172800, eventBasedCheckInterval: 300, eventBasedTimeWindow: 450, postProcessTimeout: 0 }],
    ['stager', { maxJobsToCheck: 100, maxJobsToTrigger: 100, lockInterval: 600, checkInterval: 180, triggerInterval: 180, sleepTime: 60 }],
    ['zipper', { maxJobsToZip: 100, maxFilesPerJobToZip: 0, usePostZipping: false, lockInterval: 600, zipInterval: 180, nThreadsForZip: 4 }],
    ['eventfeeder', { nThreads: 3, maxWorkers: 500, lockInterval: 600, sleepTime: 60 }],
    ['sweeper', { maxWorkers: 500, checkInterval: 180, sleepTime: 60, keepFinished: 24, keepFailed: 72, keepCancelled: 72, keepMissed: 24, keepPending: 24 }],
    ['cacher', { refreshInterval: 10, sleepTime: 60 }],
    ['commandmanager', { commands_bulk_size: 20, sleepTime: 5 }],
    ['credmanager', { sleepTime: 1800 }],
    ['watcher', { maxStalled: 300, nMessages: 1000, maxDuration: 600, checkInterval: 180, sleepTime: 60, passphraseEnv: 'HARVESTER_WATCHER_PASSPHRASE', mailPort: 25 }],
    ['db', { nConnections: 10, engine: 'sqlite', schema: 'HARVESTER', port: 3306, reconnectTimeout: 300, busyTimeout: 30000, database_filename: 'var/harvester.db' }],
    ['pandacon', { timeout: 180, auth_type: 'x509', getEventsChunkSize: 5120 }],
    ['qconf', { configFile: 'panda_queueconfig.json', updateInterval: 600, checkInterval: 5 }],
    ['frontend', { portNumber: 25080, nThreads: 10, type: 'simple', authEnable: true, verifyToken: true }],
    ['communicator', { nConnections: 5 }],
    ['master', { debugger_port: 19550, shutdownGraceTime: 30, pidFile: '', logLevel: 'info', logFile: '' }],
  ] as const)('[%s] defaults', (section, expected) => {
    const defaults = Object.fromEntries(Object.entries(schema[section] as Record<string, AnyLeaf>).map(([k, l]) => [k, l.default]));
    expect(defaults).toMatchObject(expected);
  });

  it('every leaf has doc, format and default', () => {
    for (const [s, k, leaf] of allLeaves()) {
      expect(leaf.doc, `${s}.${k}`).toMatch(/\w/);
      expect(leaf.format, `${s}.${k}`).toBeDefined();
      expect('default' in leaf, `${s}.${k}`).toBe(true);
    }
  });

  it('marks as secret every key whose name looks secret, and the listed ones', () => {
    const looksSecret = /password|passphrase|secret|token|key_?file|cert/i;
    // A boolean switch (frontend.verifyToken) names a secret but cannot hold one.
    const named = allLeaves().filter(([, k, leaf]) => looksSecret.test(k) && leaf.kind !== 'bool').map(([s, k]) => `${s}.${k}`);
    expect(named.length).toBeGreaterThan(8);
    expect(SECRET_KEYS).toEqual(expect.arrayContaining(named));
    expect(SECRET_KEYS).toEqual(expect.arrayContaining([
      'db.password', 'pandacon.key_file', 'pandacon.cert_file', 'pandacon.ca_cert', 'pandacon.auth_token', 'frontend.secretFile',
      'fifo.db_password', 'watcher.mailPassword',
    ]));
    expect(SECRET_KEYS).not.toContain('db.database_filename');
  });

  it('maps every key to a distinct HARVESTER_<SECTION>_<KEY> variable', () => {
    expect(envNameFor('service_monitor', 'active')).toBe('HARVESTER_SERVICE_MONITOR_ACTIVE');
    expect(ENV_BINDINGS.get('HARVESTER_MONITOR_FIFOENABLE')).toEqual({ section: 'monitor', key: 'fifoEnable' });
    expect(ENV_BINDINGS.get('HARVESTER_DB_PASSWORD')).toEqual({ section: 'db', key: 'password' });
    expect(ENV_BINDINGS.size).toBe(allLeaves().length + allLeaves().filter(([, , l]) => l.env).length);
  });

  it('derives HarvesterConfig from the schema', () => {
    expectTypeOf<HarvesterConfig['db']['engine']>().toEqualTypeOf<'sqlite' | 'mariadb'>();
    expectTypeOf<HarvesterConfig['db']['busyTimeout']>().toEqualTypeOf<number>();
    expectTypeOf<HarvesterConfig['monitor']['nThreads']>().toEqualTypeOf<number>();
    expectTypeOf<HarvesterConfig['qconf']['queueList']>().toEqualTypeOf<string[]>();
    expectTypeOf<HarvesterConfig['qconf']['pilotVersion']>().toEqualTypeOf<string | null>();
    expectTypeOf<HarvesterConfig['submitter']['activateWorkerFactor']>().toEqualTypeOf<number | 'auto'>();
    expectTypeOf<HarvesterConfig['master']['harvester_id']>().toEqualTypeOf<string>();
  });
});
