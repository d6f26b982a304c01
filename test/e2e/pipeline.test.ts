/**
 * The whole pipeline, end to end, as an operator runs it: a real master
 * process (`node bin/harvester.js start`) with every agent, the embedded WMS
 * over HTTP on loopback and the dummy plugins. 200 jobs must all end
 * `finished` upstream with the status sequence the original reports
 * (facts §5.1, §8.1), their workers reported submitted → running → finished,
 * and every row swept once the short keep time is over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSystemConfig } from '../../src/config/load';
import { openDatabase, type Database } from '../../src/db/connect';
import { fastCycleConfig } from '../helpers/fast-cycle-config';
import { ensureBuilt } from '../helpers/master-build';
import { exitWithin, spawnNode, type HarvesterProcess } from '../helpers/master-process';

const N_JOBS = 200;
/** Job sub statuses in the order a job goes through them (facts §5.1, OneToOne, no zipping). */
const LIFE_CYCLE = ['fetched', 'preparing', 'prepared', 'submitted', 'running', 'to_transfer', 'transferring', 'staged'];
const QUEUE = 'E2E_QUEUE';
const HARVESTER_ID = 'e2e-harvester';

/** Every agent cycles each second; the dummy batch system runs a worker 3 s after 2 s queued. */
function systemConfig(dir: string): string {
  return fastCycleConfig({ harvesterID: HARVESTER_ID, dir, upstream: { embeddedJobsFile: path.join(dir, 'wms-jobs.json') }, keepHours: 0.001 });
}

const queueConfig = {
  [QUEUE]: {
    prodSourceLabel: 'managed',
    mapType: 'OneToOne',
    nQueueLimitJob: N_JOBS,
    maxWorkers: N_JOBS,
    nQueueLimitWorker: N_JOBS,
    preparator: { module: 'dummy', name: 'DummyPreparator', stageInTime: 1 },
    submitter: { module: 'dummy', name: 'DummySubmitter' },
    workerMaker: { module: 'dummy', name: 'DummyWorkerMaker' },
    messenger: { module: 'dummy', name: 'DummyMessenger' },
    // Long enough in each state for a propagator cycle (≤ 1.4 s apart) to see it.
    stager: { module: 'dummy', name: 'DummyStager', transferTime: 2 },
    monitor: { module: 'dummy', name: 'DummyMonitor', runAfter: 2, finishAfter: 3 },
    sweeper: { module: 'dummy', name: 'DummySweeper' },
  },
};

const wmsJobs = [{ count: N_JOBS, template: { computingSite: QUEUE, inFiles: 'in.${PandaID}.root', outFiles: 'out.${PandaID}.root', logFile: 'log.${PandaID}.tgz' } }];

interface JobSummary { PandaID: number; status: string }
interface JobDetail { PandaID: number; status: string; sequence: string[]; history: Array<{ status: string; subStatus: string | null; accepted: boolean }> }
interface WorkerView { workerID: number; status: string; history: Array<{ status: string }>; record: { pandaid_list?: number[]; computingSite?: string } }

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const body = (await res.json()) as { success: boolean; data: T; message?: string };
  if (!res.ok || !body.success) throw new Error(`GET ${url}: HTTP ${res.status} ${body.message ?? ''}`);
  return body.data;
}

async function poll<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>, describeLast: () => string): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${describeLast()}`);
}

describe('pipeline end to end (master process, embedded WMS over HTTP, dummy plugins)', () => {
  let dir: string;
  let master: HarvesterProcess;
  let wmsUrl: string;
  let db: Database | undefined;

  beforeAll(async () => {
    ensureBuilt(['dist/src/cli/main.js', 'dist/src/master.js', 'dist/plugins/monitor/dummy.js']);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-e2e-'));
    fs.writeFileSync(path.join(dir, 'queues.json'), JSON.stringify(queueConfig, null, 2));
    fs.writeFileSync(path.join(dir, 'wms-jobs.json'), JSON.stringify(wmsJobs));
    fs.writeFileSync(path.join(dir, 'harvester.cfg'), systemConfig(dir));
    master = spawnNode('bin/harvester.js', ['-c', path.join(dir, 'harvester.cfg'), 'start']);
    const started = await master.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('embedded WMS started'), 30_000);
    wmsUrl = String(started.url);
  }, 60_000);

  afterAll(async () => {
    await db?.close();
    if (master && master.child.exitCode === null && master.child.signalCode === null) {
      master.child.kill('SIGKILL');
      await master.exited;
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`takes ${N_JOBS} jobs to finished upstream with the original's status sequence`, async () => {
    let last = '';
    await poll('every job finished upstream', 90_000, async () => {
      const { counts } = await getJson<{ counts: Record<string, number> }>(`${wmsUrl}/wms/v1/jobs?limit=1`);
      last = JSON.stringify(counts);
      return counts.finished === N_JOBS ? true : undefined;
    }, () => last);

    const { jobs } = await getJson<{ jobs: JobSummary[] }>(`${wmsUrl}/wms/v1/jobs`);
    expect(jobs).toHaveLength(N_JOBS);
    const sequences = new Map<string, number>();
    for (const j of jobs) {
      const d = await getJson<JobDetail>(`${wmsUrl}/wms/v1/jobs/${j.PandaID}`);
      const key = d.sequence.join(' > ');
      sequences.set(key, (sequences.get(key) ?? 0) + 1);
      // Sub statuses only move forward through the local life cycle (facts §5.1); which of them a
      // propagator cycle catches depends on timing, their order does not.
      const subs = d.history.filter((h) => h.accepted && h.subStatus !== null).map((h) => LIFE_CYCLE.indexOf(h.subStatus as string));
      expect(subs.includes(-1), `PandaID ${j.PandaID}: ${JSON.stringify(d.history)}`).toBe(false);
      expect(subs, `PandaID ${j.PandaID}`).toEqual([...subs].sort((a, b) => a - b));
      expect(d.history.find((h) => h.status === 'starting')?.subStatus, `PandaID ${j.PandaID}`).toMatch(/^(fetched|preparing|prepared|submitted)$/);
      expect(d.history[d.history.length - 1], `PandaID ${j.PandaID}`).toMatchObject({ status: 'finished', subStatus: 'staged' });
      // Nothing after the final report.
      expect(d.history.filter((h) => !h.accepted), `PandaID ${j.PandaID}`).toEqual([]);
    }
    expect(Object.fromEntries(sequences)).toEqual({ 'activated > sent > starting > running > transferring > finished': N_JOBS });
  }, 120_000);

  it('reports every worker with its statuses, one job each', async () => {
    const workers = await getJson<WorkerView[]>(`${wmsUrl}/wms/v1/workers?harvester_id=${HARVESTER_ID}`);
    expect(workers).toHaveLength(N_JOBS);
    const histories = new Map<string, number>();
    for (const w of workers) {
      const key = w.history.map((h) => h.status).join(' > ');
      histories.set(key, (histories.get(key) ?? 0) + 1);
      expect(w.record.computingSite).toBe(QUEUE);
      expect(w.record.pandaid_list, `workerID ${w.workerID}`).toHaveLength(1);
    }
    expect(Object.fromEntries(histories)).toEqual({ 'submitted > running > finished': N_JOBS });
    const { jobs } = await getJson<{ jobs: JobSummary[] }>(`${wmsUrl}/wms/v1/jobs`);
    const jobIds = new Set(jobs.map((j) => j.PandaID));
    const workerJobs = new Set(workers.flatMap((w) => w.record.pandaid_list ?? []));
    expect(workerJobs).toEqual(jobIds);
  }, 60_000);

  it('sweeps every row after the keep time and stops cleanly', async () => {
    const { config } = await loadSystemConfig({ file: path.join(dir, 'harvester.cfg'), env: {}, overrides: [], fetchRemote: false });
    db = await openDatabase(config.db);
    const database = db;
    let last = '';
    await poll('job, worker, file and relation rows swept', 60_000, async () => {
      const counts: Record<string, number> = {};
      for (const t of ['job_table', 'work_table', 'file_table', 'jw_table']) {
        counts[t] = Number((await database.sql.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))[0].n);
      }
      last = JSON.stringify(counts);
      return Object.values(counts).every((n) => n === 0) ? true : undefined;
    }, () => last);

    master.child.kill('SIGTERM');
    const { code } = await exitWithin(master, 30_000);
    expect(code).toBe(0);
    const errors = master.logs().filter((l) => (l.level ?? 0) >= 50);
    expect(errors.map((l) => `${String(l.agent ?? '')}: ${String(l.msg)}`)).toEqual([]);
  }, 120_000);
});
