/**
 * Over-submission: several submitter threads and two real OS processes
 * submit for the same queues on one database while a pretend monitor moves
 * workers along. Sampled all the time, the non-final workers of a queue
 * never exceed maxWorkers and its queued ones never exceed nQueueLimitWorker;
 * no job ever gets two workers. On sqlite and on MariaDB.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CycleResult } from '../../src/agents/agent';
import type { DbSettings } from '../../src/db/settings';
import type { SqlExecutor } from '../../src/db/sql';
import { dropPrefixedTables, mariadbSettings, sqliteSettings, uniquePrefix } from '../helpers/db-settings';
import { describeMariaDB } from '../helpers/mariadb';
import { ensureBuilt } from '../helpers/master-build';
import { DUMMY_PLUGINS } from '../helpers/agent-context';
import { seedPreparedJobs } from '../helpers/submitter-fixtures';
import type { SubmitterProcessArgs } from '../helpers/submitter-process';
import { openSubmitterRuntime, runSubmitterThreads, type SubmitterRuntime } from '../helpers/submitter-runtime';

const root = path.resolve(__dirname, '../..');
const PROCESS_JS = 'dist/test/helpers/submitter-process.js';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Queue limits under test; RS/A and RS/B share the site RS (one lock for both). */
const LIMITS: Record<string, { nQueueLimitWorker: number; maxWorkers: number; mapType: string }> = {
  R1: { nQueueLimitWorker: 4, maxWorkers: 7, mapType: 'OneToOne' },
  R2: { nQueueLimitWorker: 3, maxWorkers: 5, mapType: 'NoJob' },
  'RS/A': { nQueueLimitWorker: 2, maxWorkers: 4, mapType: 'ManyToOne' },
  'RS/B': { nQueueLimitWorker: 3, maxWorkers: 3, mapType: 'NoJob' },
};
const JOB_QUEUES = ['R1', 'RS/A'];

function writeConfigs(dir: string): string {
  const queues = Object.fromEntries(Object.entries(LIMITS).map(([name, l]) => [name, {
    ...JSON.parse(JSON.stringify(DUMMY_PLUGINS)), prodSourceLabel: 'managed', ...l,
    // A slow batch system widens the window between counting and inserting.
    submitter: { ...DUMMY_PLUGINS.submitter, submitDelay: 15 },
    workerMaker: { ...DUMMY_PLUGINS.workerMaker, nJobsPerWorker: 2 },
  }]));
  const qfile = path.join(dir, 'queues.json');
  fs.writeFileSync(qfile, JSON.stringify(queues));
  const cfg = path.join(dir, 'harvester.cfg');
  fs.writeFileSync(cfg, `[master]\nharvester_id = race\n\n[qconf]\nconfigFile = ${qfile}\nqueueList = ALL\n\n[submitter]\nlookupTime = 0\ncheckInterval = 0\n`);
  return cfg;
}

interface Peak {
  queued: Record<string, number>;
  active: Record<string, number>;
  samples: number;
}

/** Reads worker counts per queue and remembers the highest seen. */
async function sample(sql: SqlExecutor, peak: Peak): Promise<void> {
  const rows = await sql.all<{ computingSite: string; status: string; n: number | string }>(
    "SELECT computingSite, status, COUNT(*) AS n FROM work_table WHERE status NOT IN ('finished', 'failed', 'cancelled', 'missed') GROUP BY computingSite, status",
  );
  const queued: Record<string, number> = {};
  const active: Record<string, number> = {};
  for (const r of rows) {
    const n = Number(r.n);
    active[r.computingSite] = (active[r.computingSite] ?? 0) + n;
    if (['pending', 'submitted', 'idle'].includes(r.status)) queued[r.computingSite] = (queued[r.computingSite] ?? 0) + n;
  }
  for (const q of Object.keys(LIMITS)) {
    peak.queued[q] = Math.max(peak.queued[q] ?? 0, queued[q] ?? 0);
    peak.active[q] = Math.max(peak.active[q] ?? 0, active[q] ?? 0);
  }
  peak.samples++;
}

/** A pretend monitor: one submitted worker per queue starts running, one running worker finishes. */
async function moveWorkersAlong(sql: SqlExecutor): Promise<void> {
  for (const q of Object.keys(LIMITS)) {
    for (const [from, to] of [['running', 'finished'], ['submitted', 'running']]) {
      const [row] = await sql.all<{ id: number | null }>('SELECT MIN(workerID) AS id FROM work_table WHERE computingSite = ? AND status = ?', [q, from]);
      if (row?.id !== null && row?.id !== undefined) await sql.run('UPDATE work_table SET status = ? WHERE workerID = ? AND status = ?', [to, row.id, from]);
    }
  }
}

/** Samples and moves workers until `done` resolves. */
async function watch(sql: SqlExecutor, done: Promise<unknown>): Promise<Peak> {
  const peak: Peak = { queued: {}, active: {}, samples: 0 };
  let finished = false;
  void done.finally(() => { finished = true; });
  let tick = 0;
  while (!finished) {
    await sample(sql, peak);
    if (++tick % 4 === 0) await moveWorkersAlong(sql);
    await sleep(10);
  }
  await sample(sql, peak);
  return peak;
}

function expectWithinLimits(peak: Peak): void {
  expect(peak.samples).toBeGreaterThan(20);
  for (const [q, l] of Object.entries(LIMITS)) {
    expect(peak.queued[q] ?? 0, `${q}: queued workers peaked at ${peak.queued[q]} (nQueueLimitWorker ${l.nQueueLimitWorker})`).toBeLessThanOrEqual(l.nQueueLimitWorker);
    expect(peak.active[q] ?? 0, `${q}: non-final workers peaked at ${peak.active[q]} (maxWorkers ${l.maxWorkers})`).toBeLessThanOrEqual(l.maxWorkers);
    // The limit was actually reached, i.e. the race was on.
    expect(peak.active[q] ?? 0, `${q}: never reached a limit`).toBeGreaterThanOrEqual(Math.min(l.nQueueLimitWorker, l.maxWorkers));
  }
}

async function expectConsistentJobs(sql: SqlExecutor): Promise<void> {
  // No job bound to two workers (every job queue here gives a job to one worker only).
  const dup = await sql.all('SELECT PandaID, COUNT(*) AS n FROM jw_table GROUP BY PandaID HAVING COUNT(*) > 1');
  expect(dup).toEqual([]);
  // Every submitted job has its relation, and nothing is left locked or pending.
  const orphans = await sql.all("SELECT PandaID FROM job_table WHERE subStatus = 'submitted' AND PandaID NOT IN (SELECT PandaID FROM jw_table)");
  expect(orphans).toEqual([]);
  expect(await sql.all('SELECT PandaID FROM job_table WHERE lockedBy IS NOT NULL')).toEqual([]);
  expect(await sql.all("SELECT workerID FROM work_table WHERE status = 'pending'")).toEqual([]);
  expect(await sql.all('SELECT uniqueName FROM pq_table WHERE lockedBy IS NOT NULL')).toEqual([]);
}

async function resetTables(sql: SqlExecutor): Promise<void> {
  for (const t of ['jw_table', 'work_table', 'job_table', 'file_table', 'diag_table']) await sql.run(`DELETE FROM ${t}`);
  await sql.run('UPDATE pq_table SET submitTime = NULL, lockedBy = NULL');
  let id = 1;
  for (const q of JOB_QUEUES) {
    await seedPreparedJobs(sql, q, Array.from({ length: 400 }, () => ({ PandaID: id++, taskID: 1 + (id % 3) })));
  }
}

interface ChildReport {
  done?: boolean;
  ready?: boolean;
  totals?: CycleResult;
  errors?: string[];
}

function spawnSubmitter(args: SubmitterProcessArgs): { lines: ChildReport[]; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [path.join(root, PROCESS_JS), JSON.stringify(args)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: ChildReport[] = [];
  let buf = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) lines.push(JSON.parse(line) as ChildReport);
    }
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { lines, stderr: () => err, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
}

function raceScenarios(settingsFor: () => DbSettings, cleanup: (s: DbSettings) => Promise<void>): void {
  let dir: string;
  let settings: DbSettings;
  let configFile: string;
  let rt: SubmitterRuntime;

  beforeAll(async () => {
    ensureBuilt([PROCESS_JS]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-subrace-'));
    settings = settingsFor();
    configFile = writeConfigs(dir);
    rt = await openSubmitterRuntime(settings, configFile);
  });
  afterAll(async () => {
    await rt?.close();
    if (settings) await cleanup(settings);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('4 threads in one process never over-submit', async () => {
    await resetTables(rt.db.sql);
    const run = runSubmitterThreads(rt, 4, Date.now() + 3000);
    const peak = await watch(rt.db.sql, run);
    const { totals, errors } = await run;
    expect(errors).toEqual([]);
    expect(totals.submitted ?? 0).toBeGreaterThan(20);
    expectWithinLimits(peak);
    await expectConsistentJobs(rt.db.sql);
  });

  it('two OS processes × 3 threads plus 2 threads here never over-submit', async () => {
    await resetTables(rt.db.sql);
    const startAt = Date.now() + 2500;
    const untilMs = startAt + 4000;
    const children = [0, 1].map((i) => spawnSubmitter({ settings, configFile, threads: 3, startAt, untilMs, threadBase: 10 * (i + 1) }));
    const exits = Promise.all(children.map((c) => c.exited));
    await sleep(Math.max(0, startAt - Date.now()));
    const local = runSubmitterThreads(rt, 2, untilMs);
    const peak = await watch(rt.db.sql, Promise.all([exits, local]));
    const codes = await exits;
    expect(codes, children.map((c) => c.stderr()).join('\n')).toEqual([0, 0]);
    const reports = children.map((c) => c.lines.find((l) => l.done));
    for (const r of reports) {
      expect(r?.errors).toEqual([]);
      // Each process really took part: it claimed sites.
      expect(r?.totals?.sites ?? 0).toBeGreaterThan(0);
    }
    const { errors } = await local;
    expect(errors).toEqual([]);
    const submitted = reports.reduce((n, r) => n + (r?.totals?.submitted ?? 0), 0);
    expect(submitted).toBeGreaterThan(10);
    expectWithinLimits(peak);
    await expectConsistentJobs(rt.db.sql);
  });
}

describe('submitter race on sqlite', () => {
  raceScenarios(
    () => sqliteSettings(),
    async (s) => fs.rmSync(path.dirname(s.database_filename), { recursive: true, force: true }),
  );
});

describeMariaDB('submitter race on MariaDB', (env) => {
  raceScenarios(
    () => mariadbSettings(env, uniquePrefix('subrace'), 4),
    (s) => dropPrefixedTables(env, s.tablePrefix ?? ''),
  );
});
