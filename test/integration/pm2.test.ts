import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/master-build';
import { makeMasterEnv, type MasterEnv } from '../helpers/master-env';
import { repoRoot, type LogLine } from '../helpers/master-process';

const run = promisify(execFile);
const PM2 = path.join(repoRoot, 'node_modules/.bin/pm2');

interface Pm2Proc {
  name: string;
  pid: number;
  pm2_env: { status: string; kill_timeout?: number; NODE_APP_INSTANCE?: number | string };
}

/**
 * The real ecosystem.config.js under a private PM2 daemon (PM2_HOME in a temp
 * dir, so nothing touches the user's PM2): start waits for 'ready', stop sends
 * SIGINT and the master drains, releases and exits on its own.
 */
describe('PM2 (ecosystem.config.js)', () => {
  let env: MasterEnv;
  let pm2Env: NodeJS.ProcessEnv;
  let logDir: string;

  const pm2 = async (...args: string[]): Promise<string> =>
    (await run(PM2, args, { cwd: repoRoot, env: pm2Env, timeout: 30_000 })).stdout;
  const jlist = async (): Promise<Pm2Proc[]> => JSON.parse(await pm2('jlist')) as Pm2Proc[];

  beforeAll(() => {
    ensureBuilt(['dist/src/cli/main.js']);
    env = makeMasterEnv();
    logDir = path.join(env.dir, 'log');
    pm2Env = {
      ...process.env,
      PM2_HOME: path.join(env.dir, 'pm2'),
      HARVESTER_CONFIG: env.configFile,
      HARVESTER_LOG_DIR: logDir,
      HARVESTER_MASTER_SHUTDOWNGRACETIME: '5',
    };
  }, 120_000);

  afterAll(async () => {
    await pm2('kill').catch(() => undefined);
    env.cleanup();
  });

  it('starts one instance that reports ready; pm2 stop drains it gracefully', async () => {
    await pm2('start', path.join(repoRoot, 'ecosystem.config.js'));

    let procs: Pm2Proc[] = [];
    for (let i = 0; i < 40; i++) {
      procs = await jlist();
      if (procs.length === 1 && procs[0].pm2_env.status === 'online') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(procs.map((p) => [p.name, p.pm2_env.status])).toEqual([['harvester', 'online']]);
    const pid = procs[0].pid;
    expect(pid).toBeGreaterThan(0);

    const outLog = path.join(logDir, 'harvester-out.log');
    const logs = (): LogLine[] =>
      fs.existsSync(outLog) ? fs.readFileSync(outLog, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine) : [];
    // PM2 writes the log file asynchronously: poll for a line rather than read once.
    const waitLog = async (pred: (l: LogLine) => boolean): Promise<LogLine | undefined> => {
      for (let i = 0; i < 40; i++) {
        const hit = logs().find(pred);
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 100));
      }
      return undefined;
    };
    // 'online' with wait_ready means the master sent 'ready' after 'master up'.
    expect(await waitLog((l) => l.msg === 'master up')).toMatchObject({ pid });
    expect(fs.existsSync(`${env.dbFile}.master.lock`)).toBe(true);
    // kill_timeout follows the grace time (5 s) with the 15 s margin.
    expect(procs[0].pm2_env.kill_timeout).toBe(20_000);

    await pm2('stop', 'harvester');
    expect((await jlist()).map((p) => p.pm2_env.status)).toEqual(['stopped']);
    expect(() => process.kill(pid, 0)).toThrow();

    // The ecosystem file hands the grace time to the master (graceTime 5, not the cfg's 10).
    expect(await waitLog((l) => l.msg === 'master stopped' && l.pid === pid)).toBeDefined();
    const stopLogs = logs();
    expect(stopLogs.find((l) => l.msg?.startsWith('shutdown requested'))).toMatchObject({ reason: 'SIGINT', graceTime: 5, pid });
    expect(stopLogs.some((l) => l.msg === 'released every row held by this process' && l.pid === pid)).toBe(true);
    // A clean stop removes the lock file, so the next start does not need a takeover.
    expect(fs.existsSync(`${env.dbFile}.master.lock`)).toBe(false);
  });
});
