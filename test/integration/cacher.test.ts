import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshCache, type RefreshOptions } from '../../src/cacher/refresh';
import { readEntryStatus } from '../../src/cacher/status';
import { loadSystemConfig } from '../../src/config/load';
import type { HarvesterConfig } from '../../src/config/schema';
import { openDatabase, type Database } from '../../src/db/connect';
import { migrate } from '../../src/db/migrate';
import { createLogger } from '../../src/log';
import { createQueueConfigMapper } from '../../src/queue-config/bootstrap';
import type { QueueConfigMapper } from '../../src/queue-config/mapper';
import { startConfigServer, type ConfigServer } from '../helpers/config-server';
import { ensureBuilt } from '../helpers/master-build';
import { makeMasterEnv, type MasterEnv } from '../helpers/master-env';
import { repoRoot } from '../helpers/master-process';

// The cacher against a real HTTP server on loopback, a real sqlite file and
// the real plugin factory: the remote value wins; an unreachable server or a
// bad document never replaces the last good copy, and the status says why.

const LOCAL = path.join(repoRoot, 'etc/panda_queueconfig.json'); // DUMMY_PUSH: nQueueLimitJob 10, maxWorkers 10 (template)
const log = createLogger({ level: 'silent' });

describe('cacher: remote queue config over HTTP (sqlite)', () => {
  let server: ConfigServer;
  let menv: MasterEnv;
  let env: NodeJS.ProcessEnv;
  let config: HarvesterConfig;
  let db: Database;
  let mapper: QueueConfigMapper;
  let reload: () => Promise<void>;

  const refresh = (over: Partial<RefreshOptions> = {}) =>
    refreshCache({ sql: db.sql, config, systemConfigFile: menv.configFile, log, owner: 'cacher-test-0', env, force: true, skipLock: true, ...over });
  const cachedRow = async () => (await db.sql.all<{ data: string; lastUpdate: string }>("SELECT data, lastUpdate FROM cache_table WHERE mainKey = 'queues_config_file'"))[0];
  const push = () => mapper.getQueue('DUMMY_PUSH');
  const harvester = (args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'bin/harvester.js'), '--config', menv.configFile, ...args], {
    cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000,
  });

  beforeAll(async () => {
    ensureBuilt(['dist/src/cli/main.js']);
    server = await startConfigServer();
    menv = makeMasterEnv({ qconf: { configFile: LOCAL, queueList: 'ALL', checkInterval: 1 }, cacher: { refreshInterval: 0, sleepTime: 60 } });
    env = { ...process.env, HARVESTER_QUEUE_CONFIG_URL: server.url };
    ({ config } = await loadSystemConfig({ file: menv.configFile, env, overrides: [] }));
    db = await openDatabase(config.db);
    await migrate(db);
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    await server?.close();
    menv?.cleanup();
  });

  it('remote value wins over the local file; local-only values stay', async () => {
    server.serve('v1', { DUMMY_PUSH: { nQueueLimitJob: 20 } });
    const report = await refresh();
    expect(report.entries).toEqual([expect.objectContaining({ mainKey: 'queues_config_file', outcome: 'changed' })]);
    ({ mapper, reload } = await createQueueConfigMapper({ qconf: config.qconf, systemConfigFile: menv.configFile, sql: db.sql, env, log }));
    expect(push()?.nQueueLimitJob).toBe(20);
    expect(mapper.getOrigins('DUMMY_PUSH')?.get('nQueueLimitJob')).toMatchObject({ kind: 'remote' });
    expect(push()?.maxWorkers).toBe(10); // from the local template, untouched by the remote
    expect(mapper.getQueue('DUMMY_PULL')?.nQueueLimitWorkerMax).toBe(5);
    const status = await readEntryStatus(db.sql, 'queues_config_file');
    expect(status).toMatchObject({ consecutiveFailures: 0, lastError: null, source: server.url });
    expect(status?.lastSuccess).not.toBeNull();
  });

  it('server down: the last good copy is kept, logged as a dialog, status shows why', async () => {
    const before = await cachedRow();
    await server.down();
    const report = await refresh();
    expect(report.entries[0]).toMatchObject({ outcome: 'failed', error: expect.stringContaining('ECONNREFUSED') });
    expect(await cachedRow()).toEqual(before);
    await reload();
    expect(push()?.nQueueLimitJob).toBe(20);
    const status = await readEntryStatus(db.sql, 'queues_config_file');
    expect(status).toMatchObject({ consecutiveFailures: 1, lastError: expect.stringContaining('ECONNREFUSED') });
    const dialogs = await db.sql.all<{ moduleName: string; identifier: string; messageLevel: string; diagMessage: string }>(
      "SELECT moduleName, identifier, messageLevel, diagMessage FROM diag_table WHERE moduleName = 'cacher'",
    );
    expect(dialogs).toEqual([expect.objectContaining({ identifier: 'queues_config_file', messageLevel: 'ERROR', diagMessage: expect.stringContaining('ECONNREFUSED') })]);
    await server.up();
  });

  it('garbage (invalid JSON): the last good copy is kept and the status says why', async () => {
    const before = await cachedRow();
    server.serve('garbage', '{"DUMMY_PUSH": {"nQueueLimitJob": 30');
    const report = await refresh();
    expect(report.entries[0]).toMatchObject({ outcome: 'failed', error: expect.stringContaining('invalid JSON') });
    expect(await cachedRow()).toEqual(before);
    await reload();
    expect(push()?.nQueueLimitJob).toBe(20);
    expect(await readEntryStatus(db.sql, 'queues_config_file')).toMatchObject({ consecutiveFailures: 2, lastError: expect.stringContaining('invalid JSON') });
  });

  it('valid JSON with an unknown attribute: refused by the dry run, last good kept, status names queue and attribute', async () => {
    const before = await cachedRow();
    server.serve('unknown-attr', { DUMMY_PUSH: { nQueueLimitJob: 30, noSuchAttribute: 1 } });
    const report = await refresh();
    expect(report.entries[0]).toMatchObject({ outcome: 'failed' });
    expect(report.entries[0]?.error).toMatch(/invalid queue config: .*queue "DUMMY_PUSH", attribute "noSuchAttribute"/);
    expect(await cachedRow()).toEqual(before);
    await reload();
    expect(push()?.nQueueLimitJob).toBe(20);

    // What an operator sees: qconf list and cache status read the shared status row.
    const list = harvester(['qconf', 'list', '--no-plugins']);
    expect(list.stderr).toBe('');
    expect(list.stdout).toMatch(/DUMMY_PUSH\s+active/);
    expect(list.stdout).toContain(`remote ${server.url} (cache queues_config_file): failing`);
    expect(list.stdout).toContain('noSuchAttribute');
    const status = harvester(['cache', 'status', '--json']);
    expect(status.status).toBe(0);
    const views = JSON.parse(status.stdout) as Array<{ mainKey: string; state: string; consecutiveFailures: number; lastError: string }>;
    expect(views).toEqual([expect.objectContaining({ mainKey: 'queues_config_file', state: 'failing', consecutiveFailures: 3 })]);
    expect(views[0]?.lastError).toContain('noSuchAttribute');
  });

  it('server fixed: the next refresh applies and the status clears', async () => {
    server.serve('v3', { DUMMY_PUSH: { nQueueLimitJob: 30 } });
    const report = await refresh();
    expect(report.entries[0]).toMatchObject({ outcome: 'changed' });
    await reload();
    expect(push()?.nQueueLimitJob).toBe(30);
    expect(await readEntryStatus(db.sql, 'queues_config_file')).toMatchObject({ consecutiveFailures: 0, lastError: null });
  });

  it('under the process lock only one refresh per sleepTime happens, whoever asks', async () => {
    const n = server.requests.length;
    await db.sql.run("DELETE FROM lock_table WHERE processName = 'cacher'");
    const first = await refresh({ force: false, skipLock: false, owner: 'cacher-a-0' });
    const second = await refresh({ force: false, skipLock: false, owner: 'cacher-b-0' });
    expect(first.ran).toBe(true);
    expect(second.ran).toBe(false);
    expect(server.requests.length).toBe(n + 1);
  });

  it('entries not older than refreshInterval are left alone unless forced', async () => {
    const fresh = { ...config, cacher: { ...config.cacher, refreshInterval: 10 } };
    const n = server.requests.length;
    const report = await refreshCache({ sql: db.sql, config: fresh, log, owner: 'cacher-c-0', env, skipLock: true });
    expect(report.entries[0]).toMatchObject({ outcome: 'not-due' });
    expect(server.requests.length).toBe(n);
  });

  it('credentials in the URL never reach the status, dialogs or error messages', async () => {
    const port = new URL(server.url).port;
    const secretEnv = { ...env, HARVESTER_QUEUE_CONFIG_URL: `http://user:s3cret@127.0.0.1:${port}/nope.json?token=s3cret` };
    const report = await refreshCache({ sql: db.sql, config, systemConfigFile: menv.configFile, log, owner: 'cacher-d-0', env: secretEnv, force: true, skipLock: true });
    expect(report.entries[0]?.outcome).toBe('failed');
    expect(JSON.stringify(report)).not.toContain('s3cret');
    const rows = await db.sql.all<{ data: string }>("SELECT data FROM cache_table WHERE mainKey LIKE 'cacher_status:%'");
    const dialogs = await db.sql.all<{ diagMessage: string }>('SELECT diagMessage FROM diag_table');
    expect(JSON.stringify([rows, dialogs])).not.toContain('s3cret');
  });

  it('a file: source and a dump file work as in the original', async () => {
    const src = path.join(menv.dir, 'resource_types.json');
    const dump = path.join(menv.dir, 'dumps/resource_types.dump.json');
    fs.writeFileSync(src, JSON.stringify([{ resource_name: 'SCORE' }]));
    const withFile = { ...config, cacher: { ...config.cacher, data: [`resource_types.json||file:${src}|${dump}`] } };
    const report = await refreshCache({ sql: db.sql, config: withFile, log, owner: 'cacher-e-0', env: {}, force: true, skipLock: true });
    expect(report.entries).toEqual([expect.objectContaining({ mainKey: 'resource_types.json', outcome: expect.stringMatching(/changed|unchanged/) })]);
    const row = (await db.sql.all<{ data: string }>("SELECT data FROM cache_table WHERE mainKey = 'resource_types.json'"))[0];
    expect(JSON.parse(row?.data ?? 'null')).toEqual([{ resource_name: 'SCORE' }]);
    expect(JSON.parse(fs.readFileSync(dump, 'utf8'))).toEqual([{ resource_name: 'SCORE' }]);
  });
});
