import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors';
import { loadSystemConfig, resolveConfigFile } from '../../src/config/load';

const repo = path.resolve(__dirname, '../..');
let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-load-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function cfg(text: string, name = 'h.cfg'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}
const BASE = '[master]\nharvester_id = test\n';

/** The ConfigError a load throws (fails the test when it resolves). */
async function loadError(opts: Parameters<typeof loadSystemConfig>[0]): Promise<ConfigError> {
  const err = await loadSystemConfig({ fetchRemote: false, env: {}, ...opts }).then(
    () => new Error('expected a ConfigError, the load succeeded'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('an original-style panda_harvester.cfg', () => {
  it('loads with every value converted to its type', async () => {
    const { config, origins } = await loadSystemConfig({ file: path.join(repo, 'etc/panda_harvester.cfg.sample'), env: {}, fetchRemote: false });
    expect(config.master.harvester_id).toBe('FIXME');
    expect(config.master.extraPluginConfigs).toEqual({ HTCondorSubmitter: { x509UserProxy: '/data/proxy' } });
    expect(config.db.port).toBe(3306); // written "port = <TAB>3306"
    expect(config.db.nConnections).toBe(10);
    expect(config.db.syncMaxWorkerID).toBe(false);
    expect(config.fifo.database_filename).toBe('/dev/shm/$(TITLE)_fifo.db');
    expect(config.qconf.queueList).toEqual(['FIXME_1', 'FIXME_2']);
    expect(config.qconf.resolverConfig).toEqual({ refreshPeriod: 300 });
    expect(config.qconf.pilotVersion).toBeNull(); // commented out in the file
    expect(config.submitter.activateWorkerFactor).toBe('auto');
    expect(config.monitor.eventBasedPlugins).toEqual([
      { module: 'pandaharvester.harvestermonitor.htcondor_monitor', name: 'HTCondorMonitor', condorHostConfig_list: ['/opt/harvester/etc/panda/condor_host_config.json'] },
    ]);
    expect(config.credmanager.voms).toEqual(['atlas:/atlas/Role=production', 'atlas:/atlas/Role=pilot']);
    expect(config.cacher.data).toHaveLength(8); // the two commented lines inside the value are skipped
    expect(config.cacher.data[5]).toBe('resource_types.json||panda_server:get_resource_types');
    expect(config.sweeper.diskHighWatermark).toEqual(['/dir1/subdir1|1000', '/dir2/subdir2|5000']);
    expect(config.watcher.mailTo).toEqual(['example_to_1@example.com', 'example_to_2@example.com']);
    expect(config.watcher.actions).toEqual([]);
    expect(config.service_monitor.disk_volumes).toEqual(['data']);
    expect(config.file_syncer.pluginConfigs).toHaveLength(1);
    expect(config.log_level).toEqual({ monitor: 'INFO', db_proxy: 'WARNING' });
    expect(origins['db.port']).toBe('file');
    expect(origins['db.busyTimeout']).toBe('default');
    expect(origins['log_level.monitor']).toBe('file');
  });

  it('the shipped etc/harvester.cfg loads: sqlite under var/, logs to stdout', async () => {
    const { config } = await loadSystemConfig({ file: path.join(repo, 'etc/harvester.cfg'), env: {}, fetchRemote: false });
    expect(config.db.engine).toBe('sqlite');
    expect(config.db.database_filename).toBe('var/harvester.db');
    expect(config.master.logFile).toBe('');
    expect(config.master.harvester_id).not.toBe('');
  });
});

describe('defaults', () => {
  it('fill every key the file leaves out, with the engine keys of contracts.md', async () => {
    const { config, origins } = await loadSystemConfig({ file: cfg(BASE), env: {}, fetchRemote: false });
    expect(config.master).toMatchObject({ shutdownGraceTime: 30, pidFile: '', logLevel: 'info', logFile: '' });
    expect(config.db).toMatchObject({ engine: 'sqlite', database_filename: 'var/harvester.db', busyTimeout: 30000, nConnections: 10, reconnectTimeout: 300, port: 3306, schema: 'HARVESTER' });
    expect(config.monitor).toMatchObject({ nThreads: 3, sleepTime: 600, lockInterval: 600, checkInterval: 300, maxWorkers: 500 });
    expect(config.preparator).toMatchObject({ checkInterval: 180, triggerInterval: 180, maxJobsToTrigger: 100 });
    expect(config.commandmanager.sleepTime).toBe(5);
    expect(config.credmanager.sleepTime).toBe(1800);
    expect(origins['monitor.nThreads']).toBe('default');
    expect(origins['master.harvester_id']).toBe('file');
  });

  it('resolves the file from HARVESTER_CONFIG, else etc/harvester.cfg', () => {
    expect(resolveConfigFile(undefined, { HARVESTER_CONFIG: '/x.cfg' })).toBe('/x.cfg');
    expect(resolveConfigFile(undefined, {})).toBe('etc/harvester.cfg');
    expect(resolveConfigFile('a.cfg', { HARVESTER_CONFIG: '/x.cfg' })).toBe('a.cfg');
  });
});

describe('strict errors name file, section, key and what is expected', () => {
  it('unknown section', async () => {
    const file = cfg(`${BASE}[monitr]\nnThreads = 1\n`);
    const err = await loadError({ file });
    expect(err.message).toBe(`${file}:3: [monitr]: unknown section (did you mean monitor?) (known: ${err.message.split('(known: ')[1]}`);
    expect(err).toMatchObject({ file, section: 'monitr' });
  });

  it('unknown key, with a suggestion for a wrong case', async () => {
    const file = cfg(`${BASE}[db]\nnconnections = 3\n`);
    const err = await loadError({ file });
    expect(err.message).toMatch(new RegExp(`^${escape(file)}:4: \\[db\\] nconnections: unknown key \\(did you mean nConnections\\?\\)`));
    expect(err).toMatchObject({ file, section: 'db', key: 'nconnections' });
  });

  it('wrong type', async () => {
    const file = cfg(`${BASE}[db]\nnConnections = ten\n`);
    const err = await loadError({ file });
    expect(err.message).toBe(`${file}:4: [db] nConnections: expected an integer >= 1, got "ten"`);
  });

  it.each([
    ['[monitor]\nfifoEnable = maybe\n', '[monitor] fifoEnable: expected True or False, got "maybe"'],
    ['[db]\nengine = postgres\n', '[db] engine: expected one of sqlite, mariadb, got "postgres"'],
    ['[db]\nport = 70000\n', '[db] port: expected an integer between 1 and 65535, got 70000'],
    ['[watcher]\nactions = email,explode\n', '[watcher] actions: expected a comma-separated list of email, kill, terminate, got "explode"'],
    ['[monitor]\neventBasedPlugins =\n  [{"module": \n', '[monitor] eventBasedPlugins: expected a JSON list, got invalid JSON'],
    ['[pandacon]\nauth_origin =\n  a\n  b\n', '[pandacon] auth_origin: expected a single-line string on one line'],
  ])('wrong value %j', async (text, expected) => {
    const err = await loadError({ file: cfg(`${BASE}${text}`) });
    expect(err.message).toContain(expected);
  });

  it('never echoes a secret in an error', async () => {
    const err2 = await loadError({ file: cfg(`${BASE}[db]\npassword =\n  s3cret-line-1\n  s3cret-line-2\n`) });
    expect(err2.message).toContain('[db] password');
    expect(err2.message).not.toContain('s3cret');
  });

  it('missing file', async () => {
    const file = path.join(dir, 'absent.cfg');
    const err = await loadError({ file });
    expect(err.message).toBe(`${file}: cannot read the system configuration file (file not found); pass --config FILE or set HARVESTER_CONFIG`);
    expect(err.file).toBe(file);
  });

  it('missing required value', async () => {
    const file = cfg('[master]\nharvester_id =\n');
    const err = await loadError({ file });
    expect(err.message).toMatch(new RegExp(`^${escape(file)}: \\[master\\] harvester_id: a value is required .*HARVESTER_MASTER_HARVESTER_ID, HARVESTER_ID`));
    expect(err).toMatchObject({ section: 'master', key: 'harvester_id' });
  });

  it('undefined variable', async () => {
    const file = cfg(`${BASE}[db]\ndatabase_filename = \${NO_SUCH_VAR_9}/h.db\n`);
    const err = await loadError({ file });
    expect(err.message).toBe(`${file}:4: [db] database_filename: environment variable NO_SUCH_VAR_9 is not defined (used as \${NO_SUCH_VAR_9}; write $$ for a literal $)`);
  });

  it('a bad environment value names the variable and the file', async () => {
    const file = cfg(BASE);
    const err = await loadError({ file, env: { HARVESTER_MONITOR_NTHREADS: 'lots' } });
    expect(err.message).toBe(`${file} (env HARVESTER_MONITOR_NTHREADS): [monitor] nThreads: expected an integer >= 0, got "lots"`);
  });

  it('a bad --set names the override', async () => {
    const file = cfg(BASE);
    expect((await loadError({ file, overrides: ['db.nope=1'] })).message).toMatch(/\(--set db\.nope\): \[db\] nope: unknown key/);
    expect((await loadError({ file, overrides: ['dbport=1'] })).message).toMatch(/--set dbport=1\): expected section\.key=value/);
  });
});

describe('precedence: default < file < remote < env < cli', () => {
  let server: http.Server;
  let base = '';
  const bodies = new Map<string, string>();
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const body = bodies.get(req.url ?? '');
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/plain' }).end(body ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('each layer overrides the one below and is recorded as the origin', async () => {
    bodies.set('/layers.cfg', '[monitor]\nsleepTime = 2\nmaxWorkers = 22\ncheckInterval = 222\n');
    const file = cfg(`${BASE}[monitor]\nsleepTime = 1\nmaxWorkers = 11\ncheckInterval = 111\nlockInterval = 1111\n`);
    const { config, origins } = await loadSystemConfig({
      file,
      env: { HARVESTER_INSTANCE_CONFIG_URL: `${base}/layers.cfg`, HARVESTER_MONITOR_SLEEPTIME: '3', HARVESTER_MONITOR_MAXWORKERS: '33' },
      overrides: ['monitor.sleepTime=4'],
    });
    expect(config.monitor).toMatchObject({ sleepTime: 4, maxWorkers: 33, checkInterval: 222, lockInterval: 1111, nThreads: 3 });
    expect(origins).toMatchObject({
      'monitor.sleepTime': 'cli',
      'monitor.maxWorkers': 'env',
      'monitor.checkInterval': 'remote',
      'monitor.lockInterval': 'file',
      'monitor.nThreads': 'default',
    });
  });

  it('a remote instance config can set a normal key but not the DB password', async () => {
    bodies.set('/ok.cfg', '[db]\nnConnections = 7\n');
    bodies.set('/secret.cfg', '[db]\nnConnections = 7\npassword = from-remote\n');
    const file = cfg(`${BASE}[db]\npassword = from-file\n`);
    const ok = await loadSystemConfig({ file, env: { HARVESTER_INSTANCE_CONFIG_URL: `${base}/ok.cfg` } });
    expect(ok.config.db.nConnections).toBe(7);
    expect(ok.config.db.password).toBe('from-file');
    expect(ok.origins['db.nConnections']).toBe('remote');

    const url = `${base}/secret.cfg`;
    const err = await loadError({ file, env: { HARVESTER_INSTANCE_CONFIG_URL: url }, fetchRemote: true });
    expect(err.message).toBe(`${file} (${url}:3): [db] password: refused from the remote instance configuration: secrets must come from a local file or the environment`);
    expect(err.message).not.toContain('from-remote');
  });

  it.each(['[pandacon]\nkey_file = /k.pem\n', '[pandacon]\nauth_token = t\n', '[frontend]\nsecretFile = /s\n', '[credmanager]\noutCertFile =\n /p\n'])(
    'refuses other secrets from a remote source too: %j',
    async (body) => {
      bodies.set('/s2.cfg', body);
      const err = await loadError({ file: cfg(BASE), env: { HARVESTER_INSTANCE_CONFIG_URL: `${base}/s2.cfg` }, fetchRemote: true });
      expect(err.message).toContain('secrets must come from a local file or the environment');
    },
  );

  it('reads a file:// remote, and skips the remote when fetchRemote is false', async () => {
    const remote = cfg('[jobfetcher]\nmaxJobs = 9\n', 'remote.cfg');
    const env = { HARVESTER_INSTANCE_CONFIG_URL: pathToFileURL(remote).href };
    expect((await loadSystemConfig({ file: cfg(BASE), env })).config.jobfetcher.maxJobs).toBe(9);
    expect((await loadSystemConfig({ file: cfg(BASE), env, fetchRemote: false })).config.jobfetcher.maxJobs).toBe(500);
  });

  it('an unreachable or failing remote stops the load, naming the URL', async () => {
    const url = `${base}/missing.cfg`;
    const err = await loadError({ file: cfg(BASE), env: { HARVESTER_INSTANCE_CONFIG_URL: url }, fetchRemote: true });
    expect(err.message).toContain(`HARVESTER_INSTANCE_CONFIG_URL=${url}`);
    expect(err.message).toContain('HTTP 404');
  });

  it('env aliases: HARVESTER_ID and HARVESTER_LOG_LEVEL; the canonical name wins over an alias', async () => {
    const file = cfg('[db]\nport = 3306\n');
    const { config, origins } = await loadSystemConfig({ file, env: { HARVESTER_ID: 'alias', HARVESTER_LOG_LEVEL: 'debug' }, fetchRemote: false });
    expect(config.master.harvester_id).toBe('alias');
    expect(config.master.logLevel).toBe('debug');
    expect(origins['master.harvester_id']).toBe('env');
    const both = await loadSystemConfig({ file, env: { HARVESTER_ID: 'alias', HARVESTER_MASTER_HARVESTER_ID: 'canonical' }, fetchRemote: false });
    expect(both.config.master.harvester_id).toBe('canonical');
  });

  it('lists from env or --set: JSON list or one item; log_level entries via --set', async () => {
    const { config } = await loadSystemConfig({
      file: cfg(BASE),
      env: { HARVESTER_QCONF_QUEUELIST: '["A","B"]' },
      overrides: ['cacher.data=k||file:///x', 'log_level.monitor=DEBUG', 'qconf.resolverConfig={"refreshPeriod": 5}'],
      fetchRemote: false,
    });
    expect(config.qconf.queueList).toEqual(['A', 'B']);
    expect(config.cacher.data).toEqual(['k||file:///x']);
    expect(config.log_level.monitor).toBe('DEBUG');
    expect(config.qconf.resolverConfig).toEqual({ refreshPeriod: 5 });
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
