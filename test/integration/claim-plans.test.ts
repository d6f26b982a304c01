import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as C from '../../src/db/claim';
import type { Database } from '../../src/db/connect';
import { claimWorkersToSweep } from '../../src/db/claim/workers-to-sweep';
import { monitoredWorkersSharingJobs } from '../../src/db/repo/monitor-reads';
import { loadFilesOfJobs } from '../../src/db/repo/files';
import { loadJobs } from '../../src/db/repo/jobs';
import { finishedOutputFiles, outputStatusCounts, pendingOutputFiles } from '../../src/db/repo/stage-out';
import { countQueueWorkers, deleteOrphanPendingWorkers } from '../../src/db/repo/submission';
import type { SqlExecutor, SqlParam } from '../../src/db/sql';
import { sqliteSettings } from '../helpers/db-settings';
import { useMigratedDatabase } from '../helpers/migrated-db';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const SITES = ['Q1'];

/** The executor, recording every SELECT (and claim UPDATE) it is given. */
function recording(inner: SqlExecutor, seen: Array<{ sql: string; params: readonly SqlParam[] }>): SqlExecutor {
  const rec: SqlExecutor = {
    dialect: inner.dialect,
    all: (s, p) => {
      seen.push({ sql: s, params: p ?? [] });
      return inner.all(s, p);
    },
    run: (s, p) => inner.run(s, p),
    transaction: (fn) => inner.transaction((tx) => fn(recording(tx, seen))),
    session: (fn) => inner.session((s) => fn(recording(s, seen))),
  };
  return rec;
}

const settings = sqliteSettings();
let planDb: Database;

/** EXPLAIN QUERY PLAN of a recorded statement, one line. */
async function planOf(q: { sql: string; params: readonly SqlParam[] }): Promise<string> {
  const plan = await planDb.sql.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${q.sql}`, [...q.params]);
  return plan.map((p) => p.detail).join(' | ');
}

describe('sqlite query plans of site-filtered claims and counts', () => {
  let db: Database;
  useMigratedDatabase(() => settings, async () => undefined, (d) => { db = d; planDb = d; });
  afterAll(() => fs.rmSync(path.dirname(settings.database_filename), { recursive: true, force: true }));

  // Nearly every row of a harvester is in its own queues; finished ones pile up until swept.
  // Reading them through the computingSite index made every claim cost O(rows of the queue).
  it('find rows through the status/time indexes, never by scanning the queue through idx_computingSite', async () => {
    const seen: Array<{ sql: string; params: readonly SqlParam[] }> = [];
    const sql = recording(db.sql, seen);
    const owner = 'x-host_1-0';
    await C.claimWorkersToCheck(sql, { owner, limit: 10, lockInterval: 600, checkInterval: 60, computingSites: SITES, now: NOW });
    await C.claimJobsToPrepare(sql, { owner, phase: 'trigger', interval: 60, lockInterval: 600, limit: 10, computingSites: SITES, now: NOW });
    for (const pass of ['check', 'trigger', 'zip', 'postZip'] as const) {
      await C.claimJobsToStageOut(sql, { owner, pass, interval: 60, lockInterval: 600, limit: 10, computingSites: SITES, now: NOW });
    }
    await countQueueWorkers(sql, 'Q1');
    await deleteOrphanPendingWorkers(sql, 'Q1', 600, NOW);

    const selects = seen.filter((q) => /^\s*SELECT/i.test(q.sql));
    expect(selects.length).toBeGreaterThanOrEqual(8);
    for (const q of selects) {
      expect(q.sql, 'the site filter is still there').toMatch(/computingSite/);
      const text = await planOf(q);
      expect(text, q.sql).not.toMatch(/idx_computingSite_(job|work)_table\b/);
      expect(text, q.sql).toMatch(/USING (COVERING )?INDEX/);
    }
  });

  it('sweeper cleanup, output-file counts and worker sets read through the selective index, not a column nearly every row matches', async () => {
    const seen: Array<{ sql: string; params: readonly SqlParam[] }> = [];
    const sql = recording(db.sql, seen);
    await claimWorkersToSweep(sql, { limit: 10, keep: { finished: 1, failed: 1, cancelled: 1, missed: 1, pending: 1 }, retryInterval: 60, now: NOW });
    await outputStatusCounts(sql, [1, 2, 3]);
    await monitoredWorkersSharingJobs(sql, [1, 2, 3]);
    const [sweep, counts, sets] = seen.filter((q) => /^\s*SELECT/i.test(q.sql)).map(planOf);
    expect(await sweep).toMatch(/idx_status_endTime_work_table/);
    expect(await sweep).not.toMatch(/idx_lastUpdate_work_table/);
    expect(await counts).toMatch(/idx_PandaID_file_table/);
    expect(await counts).not.toMatch(/idx_zipFileID_file_table/);
    expect(await sets).not.toMatch(/idx_status(_modificationTime)?_work_table/);
  });

  it("files of given jobs are found by PandaID, not through the status index most files share", async () => {
    await db.sql.run("INSERT INTO job_table (PandaID, computingSite, subStatus) VALUES (11, 'Q1', 'running'), (12, 'Q1', 'running')");
    const seen: Array<{ sql: string; params: readonly SqlParam[] }> = [];
    const sql = recording(db.sql, seen);
    await finishedOutputFiles(sql, [11, 12]);
    await pendingOutputFiles(sql, [11, 12]);
    await loadFilesOfJobs(sql, [11, 12], { statuses: ['finished'] });
    await loadJobs(sql, [11, 12], { fileStatuses: ['finished'] });
    const fileReads = seen.filter((q) => /FROM file_table/.test(q.sql));
    expect(fileReads).toHaveLength(4);
    for (const q of fileReads) {
      const text = await planOf(q);
      expect(text, q.sql).toMatch(/idx_PandaID_file_table/);
      expect(text, q.sql).not.toMatch(/idx_(status|zipFileID)_file_table/);
    }
  });

  it('keeps sorts and ephemeral tables in memory (no etilqs_* file created and deleted in TMPDIR per claim)', async () => {
    const [row] = await db.sql.all<{ temp_store: number }>('PRAGMA temp_store');
    expect(Number(row?.temp_store)).toBe(2);
  });

  it('still claims only the rows of the given queues', async () => {
    await db.sql.run("INSERT INTO work_table (workerID, computingSite, status) VALUES (1, 'Q1', 'submitted'), (2, 'Q2', 'submitted')");
    await db.sql.run("INSERT INTO job_table (PandaID, computingSite, subStatus) VALUES (1, 'Q1', 'fetched'), (2, 'Q2', 'fetched')");
    const w = await C.claimWorkersToCheck(db.sql, { owner: 'm-host_1-0', limit: 10, lockInterval: 600, checkInterval: 60, computingSites: SITES, now: NOW });
    expect(w.rows.map((r) => r.workerID)).toEqual([1]);
    const j = await C.claimJobsToPrepare(db.sql, { owner: 'p-host_1-0', phase: 'trigger', interval: 60, lockInterval: 600, limit: 10, computingSites: SITES, now: NOW });
    expect(j.rows.map((r) => r.PandaID)).toEqual([1]);
    expect((await countQueueWorkers(db.sql, 'Q2')).nQueue).toBe(1);
  });
});
