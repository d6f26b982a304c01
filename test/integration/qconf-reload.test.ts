import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startConfigServer, type ConfigServer, type ServedRequest } from '../helpers/config-server';
import { ensureBuilt } from '../helpers/master-build';
import { openTestDatabase } from '../helpers/master-db';
import { makeMasterEnv, type IniSections, type MasterEnv } from '../helpers/master-env';
import { exitWithin, repoRoot, spawnNode, type HarvesterProcess, type LogLine } from '../helpers/master-process';
import { describeMariaDB } from '../helpers/mariadb';

// Every process reloads a changed remote queue config within [qconf]
// checkInterval, without restart, while only one process fetches it: real
// `harvester` processes, a real HTTP server on loopback, one shared database.

const BIN = path.join(repoRoot, 'bin/harvester.js');
const LOCAL = path.join(repoRoot, 'etc/panda_queueconfig.json');
const CHECK_INTERVAL = 1;
const SLACK_MS = 3000; // process scheduling on a shared 2-core machine

/** The pool agents are off: these masters only cache and reload. */
const QUIET_POOLS: IniSections = Object.fromEntries(
  ['jobfetcher', 'propagator', 'monitor', 'preparator', 'submitter', 'stager', 'eventfeeder', 'sweeper'].map((a) => [a, { nThreads: 0 }]),
);

function baseSections(cacherSleep: number): IniSections {
  return {
    ...QUIET_POOLS,
    master: { logLevel: 'info' },
    qconf: { configFile: LOCAL, queueList: 'ALL', checkInterval: CHECK_INTERVAL, updateInterval: 600 },
    cacher: { refreshInterval: 0, sleepTime: cacherSleep },
  };
}

const isReloadOf = (since: number) => (l: LogLine): boolean =>
  l.msg === 'queue config reloaded' && Date.parse(String(l.time)) >= since && (l.changed as string[] | undefined)?.includes('DUMMY_PUSH') === true;

const startupConfigID = (p: HarvesterProcess): number =>
  (p.logs().find((l) => l.msg === 'queue config loaded at startup')?.configIDs as Record<string, number>).DUMMY_PUSH as number;

const pidOf = (r: ServedRequest): number => Number(/pid=(\d+)/.exec(r.userAgent)?.[1]);

/** A short-lived CLI process, run asynchronously: the test's HTTP server lives in this event loop. */
async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string; pid: number }> {
  const p = spawnNode(BIN, args, { env });
  const { code } = await exitWithin(p, 60_000);
  return { code, stdout: p.stdout(), stderr: p.stderr(), pid: p.child.pid as number };
}

async function stopAll(ps: HarvesterProcess[]): Promise<void> {
  for (const p of ps) if (p.child.exitCode === null) p.child.kill('SIGTERM');
  for (const p of ps) await exitWithin(p, 20_000);
}

describe('queue config reload across processes (sqlite: one master + cacher --once processes)', () => {
  let server: ConfigServer;
  let menv: MasterEnv;
  let master: HarvesterProcess | undefined;

  beforeAll(async () => {
    ensureBuilt(['dist/src/cli/main.js']);
    server = await startConfigServer();
  }, 120_000);
  afterEach(async () => {
    if (master) await stopAll([master]);
    menv?.cleanup();
  });
  afterAll(async () => server?.close());

  it('a cacher in another process fetches the change; the master reloads it within checkInterval and fetched nothing itself', async () => {
    // The master's cacher takes the lock at start and holds it for an hour, as a busy fleet member would.
    menv = makeMasterEnv({ ...baseSections(3600), master: { logLevel: 'debug' } });
    const env = { HARVESTER_QUEUE_CONFIG_URL: server.url };
    server.serve('v1', { DUMMY_PUSH: { nQueueLimitJob: 21 } });
    master = spawnNode(BIN, ['--config', menv.configFile, 'start'], { env });
    // The cacher's first cycle (after 'master up') takes the lock and fetches v1 again; change only after it.
    await master.waitForLog((l) => l.msg === 'cycle done' && l.agent === 'cacher', 30_000);
    const v1ID = startupConfigID(master);

    const changedAt = Date.now();
    server.serve('v2', { DUMMY_PUSH: { nQueueLimitJob: 22 } });
    // Another process with the configured interval (3600 s) is refused by the lock the master holds: it fetches nothing.
    const refused = await runCli(['--config', menv.configFile, 'agent', 'cacher', '--once'], env);
    expect(refused.code, refused.stderr).toBe(0);
    expect(refused.stdout).toContain('"lockedOut":1');
    expect(server.requests.filter((r) => r.at >= changedAt)).toEqual([]);

    // One with a lock interval of 0 takes the lock over and fetches the change.
    const fetcher = await runCli(['--config', menv.configFile, '--set', 'cacher.sleepTime=0', 'agent', 'cacher', '--once'], env);
    expect(fetcher.code, fetcher.stderr).toBe(0);
    const v2Requests = server.requests.filter((r) => r.at >= changedAt);
    expect(v2Requests.map((r) => r.served)).toEqual(['v2']);
    expect(pidOf(v2Requests[0] as ServedRequest)).toBe(fetcher.pid);

    const reloaded = await master.waitForLog(isReloadOf(changedAt), 15_000);
    const v2ID = (reloaded.configIDs as Record<string, number>).DUMMY_PUSH;
    expect(v2ID).not.toBe(v1ID);
    expect(reloaded.trigger).toBe('cache');
    expect(Date.parse(String(reloaded.time)) - (v2Requests[0] as ServedRequest).at).toBeLessThanOrEqual(CHECK_INTERVAL * 1000 + SLACK_MS);
    // The master never fetched after the change.
    expect(server.requests.filter((r) => r.at >= changedAt && pidOf(r) === master?.child.pid)).toEqual([]);

    // `qconf list --json` in yet another process reads the same database and shows the new configID.
    const list = await runCli(['--config', menv.configFile, 'qconf', 'list', '--json', '--no-plugins'], env);
    const listed = JSON.parse(list.stdout) as { queues: Array<{ queueName: string; configID: number }>; remote: { state: string } };
    expect(listed.queues.find((q) => q.queueName === 'DUMMY_PUSH')?.configID).toBe(v2ID);
    expect(listed.remote.state).toBe('ok');
  }, 90_000);

  it('a broken local queue config stops the master with exit 2 and every problem listed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qconf-bad-'));
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ Q1: { maxWorkers: 'ten', noSuchAttribute: 1, submitter: { module: 'dummy', name: 'DummySubmitter' } } }));
    try {
      menv = makeMasterEnv({ ...baseSections(60), qconf: { configFile: bad } });
      const p = spawnNode(BIN, ['--config', menv.configFile, 'start']);
      const { code } = await exitWithin(p, 30_000);
      expect(code).toBe(2);
      expect(p.stderr()).toContain('queue "Q1", attribute "noSuchAttribute"');
      expect(p.stderr()).toContain('queue "Q1", attribute "maxWorkers"');
      expect(p.logs().some((l) => l.msg === 'master up')).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describeMariaDB('queue config reload across processes (two masters on one MariaDB)', (maria) => {
  let server: ConfigServer;
  let menv: MasterEnv;
  let masters: HarvesterProcess[] = [];
  const CACHER_SLEEP = 3;

  beforeAll(async () => {
    ensureBuilt(['dist/src/cli/main.js']);
    server = await startConfigServer();
    menv = makeMasterEnv({
      ...baseSections(CACHER_SLEEP),
      // A local test file may hold the password (secrets are refused only from remote configs).
      db: { engine: 'mariadb', host: maria.host, port: maria.port, user: maria.user, password: maria.password, schema: maria.database, nConnections: 4 },
    });
    // Other test files share this database: clear only what this test reads.
    const db = await openTestDatabase(menv.configFile);
    try {
      await db.sql.run("DELETE FROM cache_table WHERE mainKey = 'queues_config_file' OR mainKey LIKE 'cacher_status:%'");
      await db.sql.run("DELETE FROM lock_table WHERE processName = 'cacher'");
    } finally {
      await db.close();
    }
  }, 120_000);
  afterAll(async () => {
    await stopAll(masters);
    await server?.close();
    menv?.cleanup();
  });

  it('the URL changes: both masters use the new config within checkInterval, without restart, and only one fetched it', async () => {
    const env = { HARVESTER_QUEUE_CONFIG_URL: server.url };
    server.serve('v1', { DUMMY_PUSH: { nQueueLimitJob: 31 } });
    masters = [0, 1].map(() => spawnNode(BIN, ['--config', menv.configFile, 'start'], { env }));
    await Promise.all(masters.map((m) => m.waitForLog((l) => l.msg === 'master up', 60_000)));
    const pids = masters.map((m) => m.child.pid as number);
    const upAt = Date.now();
    // Let a few cacher periods pass: the lock must keep refreshes one per period across both.
    await new Promise((r) => setTimeout(r, 2 * CACHER_SLEEP * 1000));

    const changedAt = Date.now();
    server.serve('v2', { DUMMY_PUSH: { nQueueLimitJob: 32 } });
    const reloads = await Promise.all(masters.map((m) => m.waitForLog(isReloadOf(changedAt), 30_000)));
    const bothAt = Math.max(...reloads.map((l) => Date.parse(String(l.time))));

    // Both serve the same new configID (qcdump_table is shared).
    const ids = reloads.map((l) => (l.configIDs as Record<string, number>).DUMMY_PUSH);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[0]).not.toBe(startupConfigID(masters[0] as HarvesterProcess));

    // Exactly one fetch of v2 happened before both had reloaded, by one of the two masters.
    const v2 = server.requests.filter((r) => r.served === 'v2');
    const first = v2[0] as ServedRequest;
    expect(v2.filter((r) => r.at <= bothAt)).toHaveLength(1);
    expect(pids).toContain(pidOf(first));
    for (const l of reloads) expect(Date.parse(String(l.time)) - first.at).toBeLessThanOrEqual(CHECK_INTERVAL * 1000 + SLACK_MS);

    // Since both were up, refreshes were one per cacher period, whichever master made them.
    const steady = server.requests.filter((r) => r.at > upAt);
    expect(steady.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < steady.length; i++) {
      expect((steady[i] as ServedRequest).at - (steady[i - 1] as ServedRequest).at).toBeGreaterThanOrEqual(CACHER_SLEEP * 1000 - 300);
    }
    expect(steady.every((r) => pids.includes(pidOf(r)))).toBe(true);
  }, 120_000);
});
