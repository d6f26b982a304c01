import { beforeEach, describe, expect, it } from 'vitest';
import * as C from '../../src/db/claim';
import { claimWorkersToSweep } from '../../src/db/claim/workers-to-sweep';
import type { Database } from '../../src/db/connect';
import { fromSqlDateTime } from '../../src/db/dates';
import type { DbSettings } from '../../src/db/settings';
import type { SqlParam } from '../../src/db/sql';
import { dropPrefixedTables, mariadbSettings, sqliteSettings, uniquePrefix } from '../helpers/db-settings';
import { describeMariaDB } from '../helpers/mariadb';
import { useMigratedDatabase } from '../helpers/migrated-db';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const ME = 'preparator-hostA_100-0';
const OTHER = 'preparator-hostB_200-1';

async function insert(db: Database, table: string, rows: Array<Record<string, SqlParam>>): Promise<void> {
  for (const r of rows) {
    const cols = Object.keys(r);
    await db.sql.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, cols.map((c) => r[c]));
  }
}

const ids = <T extends { PandaID: number }>(rows: T[]) => rows.map((r) => r.PandaID).sort((a, b) => a - b);
const wids = <T extends { workerID: number }>(rows: T[]) => rows.map((r) => r.workerID).sort((a, b) => a - b);

function channelTests(settingsFor: () => DbSettings, cleanup: (s: DbSettings) => Promise<void>): void {
  let db: Database;
  useMigratedDatabase(settingsFor, cleanup, (d) => { db = d; });
  beforeEach(async () => {
    for (const t of ['job_table', 'work_table', 'jw_table', 'pq_table', 'diag_table', 'lock_table']) await db.sql.run(`DELETE FROM ${t}`);
  });

  it('preparator: only its subStatus, free/due or stale rows; owner-checked release with expect', async () => {
    await insert(db, 'job_table', [
      { PandaID: 1, subStatus: 'fetched' }, // never looked at
      { PandaID: 2, subStatus: 'fetched', preparatorTime: at(-100) }, // free, due after 60 s
      { PandaID: 3, subStatus: 'fetched', preparatorTime: at(-10) }, // free, not due yet
      { PandaID: 4, subStatus: 'fetched', preparatorTime: at(-700), lockedBy: OTHER }, // stale lock (600 s)
      { PandaID: 5, subStatus: 'fetched', preparatorTime: at(-100), lockedBy: OTHER }, // held
      { PandaID: 6, subStatus: 'preparing' }, // other phase
    ]);
    const c = await C.claimJobsToPrepare(db.sql, { owner: ME, phase: 'trigger', interval: 60, lockInterval: 600, limit: 10, now: T0 });
    expect(ids(c.rows)).toEqual([1, 2, 4]);
    expect(c.claimedAt).toEqual(T0);
    const again = await C.claimJobsToPrepare(db.sql, { owner: OTHER, phase: 'trigger', interval: 60, lockInterval: 600, limit: 10, now: at(1) });
    expect(again.rows).toEqual([]);
    const checked = await C.claimJobsToPrepare(db.sql, { owner: ME, phase: 'check', interval: 60, lockInterval: 600, limit: 10, now: T0 });
    expect(ids(checked.rows)).toEqual([6]);

    const rel = await C.releaseJobsFromPreparator(db.sql, ME, [
      { id: 1, set: { subStatus: 'preparing', preparatorTime: null }, expect: { subStatus: 'fetched' } },
      { id: 2, set: { subStatus: 'preparing' }, expect: { subStatus: 'preparing' } }, // expect fails: nothing written
      { id: 5, set: { subStatus: 'preparing' } }, // not ours
    ]);
    expect(rel).toEqual({ released: [1], lost: [2, 5] });
    const rows = await db.sql.all<{ PandaID: number; subStatus: string; lockedBy: string | null; preparatorTime: unknown }>(
      'SELECT PandaID, subStatus, lockedBy, preparatorTime FROM job_table WHERE PandaID IN (1, 2, 5) ORDER BY PandaID',
    );
    expect(rows.map((r) => [Number(r.PandaID), r.subStatus, r.lockedBy, fromSqlDateTime(r.preparatorTime)])).toEqual([
      [1, 'preparing', null, null],
      [2, 'fetched', ME, T0],
      [5, 'fetched', OTHER, at(-100)],
    ]);
  });

  it('submitter: one queue, prepared/queued, priority order; multi-worker jobs on request', async () => {
    await insert(db, 'job_table', [
      { PandaID: 1, computingSite: 'Q', subStatus: 'prepared', currentPriority: 10, taskID: 1 },
      { PandaID: 2, computingSite: 'Q', subStatus: 'queued', currentPriority: 30, taskID: 1 },
      { PandaID: 3, computingSite: 'Q', subStatus: 'prepared', currentPriority: 20, taskID: 1 },
      { PandaID: 4, computingSite: 'R', subStatus: 'prepared', currentPriority: 99, taskID: 1 },
      { PandaID: 5, computingSite: 'Q', subStatus: 'running', currentPriority: 50, taskID: 1, nWorkers: 1, nWorkersLimit: 3 },
      { PandaID: 6, computingSite: 'Q', subStatus: 'running', currentPriority: 50, taskID: 1, nWorkers: 3, nWorkersLimit: 3 },
    ]);
    const base = { owner: ME, queueName: 'Q', checkInterval: 60, lockInterval: 600, limit: 10, now: T0 };
    const c = await C.claimJobsToSubmit(db.sql, base);
    expect(c.rows.map((r) => r.PandaID)).toEqual([2, 3, 1]);
    const m = await C.claimJobsToSubmit(db.sql, { ...base, owner: OTHER, includeMultiWorkerJobs: true });
    expect(m.rows.map((r) => r.PandaID)).toEqual([5]);
    expect((await C.releaseJobsFromSubmitter(db.sql, ME, c.rows.map((r) => ({ id: r.PandaID, set: { subStatus: 'submitted' } })))).released).toHaveLength(3);
  });

  it('monitor: active statuses; release never writes a final row but unlocks it', async () => {
    await insert(db, 'work_table', [
      { workerID: 1, status: 'submitted' },
      { workerID: 2, status: 'running', modificationTime: at(-400) },
      { workerID: 3, status: 'idle', modificationTime: at(-100) }, // checked recently
      { workerID: 4, status: 'finished' },
    ]);
    const c = await C.claimWorkersToCheck(db.sql, { owner: ME, checkInterval: 300, lockInterval: 600, limit: 10, now: T0 });
    expect(wids(c.rows)).toEqual([1, 2]);
    // Meanwhile someone else finalised worker 2.
    await db.sql.run("UPDATE work_table SET status = 'cancelled' WHERE workerID = 2");
    const rel = await C.releaseWorkersFromMonitor(db.sql, ME, [
      { id: 1, set: { status: 'running' } },
      { id: 2, set: { status: 'running' } },
    ]);
    expect(rel).toEqual({ released: [1], lost: [2] });
    const rows = await db.sql.all<{ workerID: number; status: string; lockedBy: string | null }>('SELECT workerID, status, lockedBy FROM work_table WHERE workerID IN (1, 2) ORDER BY workerID');
    expect(rows.map((r) => [Number(r.workerID), r.status, r.lockedBy])).toEqual([[1, 'running', null], [2, 'cancelled', null]]);
  });

  it('stager: pass predicates on subStatus / hasOutFile, own lock channel', async () => {
    await insert(db, 'job_table', [
      { PandaID: 1, subStatus: 'to_transfer' }, // trigger (hasOutFile NULL)
      { PandaID: 2, subStatus: 'running', hasOutFile: 1 }, // trigger via flag
      { PandaID: 3, subStatus: 'to_transfer', hasOutFile: 2 }, // zip, not trigger
      { PandaID: 4, subStatus: 'transferring' }, // check
      { PandaID: 5, subStatus: 'to_transfer', hasOutFile: 4 }, // post-zip
    ]);
    const q = (pass: C.StageOutPass) => C.claimJobsToStageOut(db.sql, { owner: ME, pass, interval: 60, lockInterval: 600, limit: 10, now: T0 });
    expect(ids((await q('trigger')).rows)).toEqual([1, 2]);
    expect(ids((await q('zip')).rows)).toEqual([3]);
    expect(ids((await q('check')).rows)).toEqual([4]);
    expect(ids((await q('postZip')).rows)).toEqual([5]);
    // The stager lock is independent of lockedBy.
    expect(ids((await C.claimJobsToPrepare(db.sql, { owner: OTHER, phase: 'trigger', interval: 0, lockInterval: 600, limit: 10, now: T0 })).rows)).toEqual([]);
    expect((await C.releaseJobsFromStager(db.sql, OTHER, [{ id: 1 }])).lost).toEqual([1]);
    expect((await C.releaseJobsFromStager(db.sql, ME, [{ id: 1, set: { subStatus: 'transferring' } }])).released).toEqual([1]);
  });

  it('propagator jobs: NULL time means nothing to send; due after updateInterval; stale after lockInterval', async () => {
    await insert(db, 'job_table', [
      { PandaID: 1, subStatus: 'running' },
      { PandaID: 2, subStatus: 'running', propagatorTime: at(-3600) }, // triggered
      { PandaID: 3, subStatus: 'running', propagatorTime: at(-10) }, // reported recently
      { PandaID: 4, subStatus: 'running', propagatorTime: at(-700), propagatorLock: OTHER }, // stale
    ]);
    const c = await C.claimJobsToPropagate(db.sql, { owner: ME, updateInterval: 1800, lockInterval: 600, limit: 10, now: T0 });
    expect(ids(c.rows)).toEqual([2, 4]);
    const rel = await C.releaseJobsFromPropagator(db.sql, ME, [{ id: 2, set: { propagatorTime: null, subStatus: 'done' } }, { id: 4 }]);
    expect(rel.released).toEqual([2, 4]);
    const again = await C.claimJobsToPropagate(db.sql, { owner: ME, updateInterval: 1800, lockInterval: 600, limit: 10, now: at(3600) });
    expect(ids(again.rows)).toEqual([3, 4]);
  });

  it('ownerless channels: worker propagation (lastUpdate) and kill (killTime) release by claim time', async () => {
    await insert(db, 'work_table', [
      { workerID: 1, status: 'finished', lastUpdate: at(-4000) },
      { workerID: 2, status: 'running', lastUpdate: at(-10) },
      { workerID: 3, status: 'running' },
      { workerID: 4, status: 'running', killTime: at(-6 * 3600) },
      { workerID: 5, status: 'finished', killTime: at(-6 * 3600) },
    ]);
    const p = await C.claimWorkersToPropagate(db.sql, { updateInterval: 1800, limit: 10, now: T0 });
    expect(wids(p.rows)).toEqual([1]);
    expect(await C.markWorkersPropagated(db.sql, at(-1), [1])).toEqual({ released: [], lost: [1] }); // wrong claim time
    expect(await C.markWorkersPropagated(db.sql, p.claimedAt, [1])).toEqual({ released: [1], lost: [] });

    const k = await C.claimWorkersToKill(db.sql, { checkInterval: 180, limit: 10, now: T0 });
    expect(wids(k.rows)).toEqual([4]);
    const w5 = await db.sql.all<{ killTime: unknown }>('SELECT killTime FROM work_table WHERE workerID = 5');
    expect(w5[0].killTime).toBeNull();
    expect((await C.claimWorkersToKill(db.sql, { checkInterval: 180, limit: 10, now: at(10) })).rows).toEqual([]);
    expect(await C.markWorkersToKill(db.sql, [3, 5], T0)).toBe(1);
    expect(await C.clearKillRequests(db.sql, k.claimedAt, [4])).toEqual({ released: [4], lost: [] });
  });

  it('event feeder: eventsRequest=2 and active; release clears the request by default', async () => {
    await insert(db, 'work_table', [
      { workerID: 1, status: 'running', eventsRequest: 2, eventsRequestParams: '{"1":{"nRanges":4}}' },
      { workerID: 2, status: 'running', eventsRequest: 1 },
      { workerID: 3, status: 'finished', eventsRequest: 2 },
      { workerID: 4, status: 'submitted', eventsRequest: 2, eventFeedTime: at(-10), eventFeedLock: OTHER },
    ]);
    const c = await C.claimWorkersToFeedEvents(db.sql, { owner: ME, lockInterval: 600, limit: 10, now: T0 });
    expect(c.rows.map((r) => [r.workerID, r.eventsRequestParams])).toEqual([[1, '{"1":{"nRanges":4}}']]);
    expect((await C.releaseWorkersFromEventFeeder(db.sql, ME, [{ id: 1 }, { id: 4 }])).lost).toEqual([4]);
    const [w] = await db.sql.all<{ eventsRequest: number; eventsRequestParams: unknown; eventFeedLock: unknown }>('SELECT eventsRequest, eventsRequestParams, eventFeedLock FROM work_table WHERE workerID = 1');
    expect([Number(w.eventsRequest), w.eventsRequestParams, w.eventFeedLock]).toEqual([1, null, null]);
  });

  it('submission site lock: one whole site per claim, never a site partly held by someone else', async () => {
    await insert(db, 'pq_table', [
      { uniqueName: 'A1:SCORE:managed', queueName: 'A1', siteName: 'A' },
      { uniqueName: 'A1:MCORE:managed', queueName: 'A1', siteName: 'A' },
      { uniqueName: 'B1:SCORE:managed', queueName: 'B1', siteName: 'B', submitTime: at(-100) },
      { uniqueName: 'B2:SCORE:managed', queueName: 'B2', siteName: 'B', submitTime: at(-100), lockedBy: OTHER }, // held 100 s ago
    ]);
    const base = { lookupTime: 60, queueLockInterval: 300, now: T0 };
    const a = await C.claimQueuesToSubmit(db.sql, { ...base, owner: ME });
    expect(a?.siteName).toBe('A');
    expect(a?.queues.map((q) => q.uniqueName).sort()).toEqual(['A1:MCORE:managed', 'A1:SCORE:managed']);
    // Site B has a free row but another submitter holds B2: the original would take B1 here and over-submit.
    expect(await C.claimQueuesToSubmit(db.sql, { ...base, owner: 'submitter-x_1-0' })).toBeNull();
    const b = await C.claimQueuesToSubmit(db.sql, { ...base, owner: 'submitter-x_1-0', now: at(201) }); // B2 stale after 300 s
    expect(b?.siteName).toBe('B');
    expect((await C.releaseQueuesFromSubmitter(db.sql, ME, (a?.queues ?? []).map((q) => ({ id: q.uniqueName, set: { nNewWorkers: 0 } })))).released).toHaveLength(2);
    expect((await C.releaseQueuesFromSubmitter(db.sql, ME, [{ id: 'B1:SCORE:managed' }])).lost).toEqual(['B1:SCORE:managed']);
  });

  it('job fetcher: whole queues whose jobFetchTime is NULL or older than lookupTime', async () => {
    await insert(db, 'pq_table', [
      { uniqueName: 'A1:SCORE:managed', queueName: 'A1', siteName: 'A', nQueueLimitJob: 5 },
      { uniqueName: 'A1:MCORE:managed', queueName: 'A1', siteName: 'A', nQueueLimitJob: 5 },
      { uniqueName: 'B1:SCORE:managed', queueName: 'B1', siteName: 'B', jobFetchTime: at(-10) },
    ]);
    const c = await C.claimQueuesToFetch(db.sql, { limit: 5, lookupTime: 60, now: T0 });
    expect(c.rows.map((r) => r.uniqueName).sort()).toEqual(['A1:MCORE:managed', 'A1:SCORE:managed']);
    expect((await C.claimQueuesToFetch(db.sql, { limit: 5, lookupTime: 60, now: at(30) })).rows).toEqual([]);
    expect((await C.claimQueuesToFetch(db.sql, { limit: 1, lookupTime: 60, now: at(61) })).rows.map((r) => r.queueName)).toEqual(['B1']);
  });

  it('dialogs: claimed by lockTime, deleted only by the claim that holds them', async () => {
    await insert(db, 'diag_table', [
      { moduleName: 'submitter', diagMessage: 'one', creationTime: T0 },
      { moduleName: 'monitor', diagMessage: 'two', creationTime: T0 },
    ]);
    const c = await C.claimDialogsToSend(db.sql, { limit: 10, lockInterval: 600, now: T0 });
    expect(c.rows.map((r) => r.diagMessage)).toEqual(['one', 'two']);
    expect((await C.claimDialogsToSend(db.sql, { limit: 10, lockInterval: 600, now: at(1) })).rows).toEqual([]);
    const later = await C.claimDialogsToSend(db.sql, { limit: 1, lockInterval: 600, now: at(601) }); // stale: taken over
    expect(await C.deleteSentDialogs(db.sql, c.claimedAt, c.rows.map((r) => r.diagID))).toBe(1);
    expect(await C.deleteSentDialogs(db.sql, later.claimedAt, later.rows.map((r) => r.diagID))).toBe(1);
  });

  it('process locks: one holder per interval; owner-checked release', async () => {
    expect(await C.getProcessLock(db.sql, 'cacher', 'a', 60, T0)).toBe(true);
    expect(await C.getProcessLock(db.sql, 'cacher', 'b', 60, at(30))).toBe(false);
    expect(await C.getProcessLock(db.sql, 'cacher', 'a', 60, at(30))).toBe(false); // not early, not even the holder
    expect(await C.getProcessLock(db.sql, 'cacher', 'b', 60, at(60))).toBe(true);
    expect(await C.releaseProcessLock(db.sql, 'cacher', 'a')).toBe(false);
    expect(await C.releaseProcessLock(db.sql, 'cacher', 'b')).toBe(true);
    expect(await C.getProcessLock(db.sql, 'cacher', 'a', 60, at(61))).toBe(true);
  });

  it('releaseAllHeldByProcess clears exactly the locks of the given process', async () => {
    const mine = 'monitor-hostA_100-2';
    await insert(db, 'job_table', [
      { PandaID: 1, lockedBy: ME, stagerLock: mine, propagatorLock: OTHER },
      { PandaID: 2, lockedBy: OTHER },
    ]);
    await insert(db, 'work_table', [{ workerID: 1, lockedBy: mine, eventFeedLock: mine, eventFeedTime: T0 }]);
    await insert(db, 'pq_table', [{ uniqueName: 'A', lockedBy: mine }]);
    await insert(db, 'lock_table', [{ processName: 'cacher', lockedBy: mine, lockTime: T0 }, { processName: 'sweeper', lockedBy: OTHER, lockTime: T0 }]);
    const out = await C.releaseAllHeldByProcess(db.sql, '%-hostA_100-%');
    expect(out).toEqual({
      'job_table.lockedBy': 1, 'job_table.stagerLock': 1, 'job_table.propagatorLock': 0, 'work_table.lockedBy': 1,
      'work_table.eventFeedLock': 1, 'pq_table.lockedBy': 1, lock_table: 1,
    });
    const jobs = await db.sql.all('SELECT PandaID, lockedBy, stagerLock, propagatorLock FROM job_table ORDER BY PandaID');
    expect(jobs.map((j) => [Number(j.PandaID), j.lockedBy, j.stagerLock, j.propagatorLock])).toEqual([[1, null, null, OTHER], [2, OTHER, null, null]]);
  });

  it('sweeper cleanup: per-status keep from endTime, or submitTime/creationTime for workers that never ended', async () => {
    const keep = { finished: 1, failed: 2, cancelled: 1, missed: 1, pending: 1 };
    const h = (hours: number) => at(-hours * 3600);
    await insert(db, 'work_table', [
      { workerID: 1, status: 'finished', endTime: h(1.5), lastUpdate: null }, // past keep
      { workerID: 2, status: 'finished', endTime: h(0.5), lastUpdate: null }, // not yet
      { workerID: 3, status: 'failed', endTime: h(1.5), lastUpdate: null }, // failed keeps 2 h
      { workerID: 4, status: 'missed', endTime: null, submitTime: h(1.5), creationTime: h(0.1), lastUpdate: null }, // submitTime counts
      { workerID: 5, status: 'missed', endTime: null, submitTime: null, creationTime: h(1.5), lastUpdate: null }, // then creationTime
      { workerID: 6, status: 'pending', endTime: null, submitTime: null, creationTime: h(0.5), lastUpdate: null }, // not yet
      { workerID: 7, status: 'finished', endTime: h(1.5), lastUpdate: h(1.5) }, // not fully reported
      { workerID: 8, status: 'running', endTime: h(9), lastUpdate: null }, // not ended
      { workerID: 9, status: 'cancelled', endTime: h(0.5), submitTime: h(9), lastUpdate: null }, // endTime wins over an old submitTime
      { workerID: 10, status: 'finished', endTime: h(1.5), lastUpdate: null }, // its job still to report
    ]);
    await insert(db, 'job_table', [{ PandaID: 100, propagatorTime: at(-10) }]);
    await insert(db, 'jw_table', [{ PandaID: 100, workerID: 10 }]);
    const c = await claimWorkersToSweep(db.sql, { limit: 100, keep, retryInterval: 60, now: T0 });
    expect(wids(c.rows)).toEqual([1, 4, 5]);
    const again = await claimWorkersToSweep(db.sql, { limit: 100, keep, retryInterval: 60, now: at(1) });
    expect(again.rows).toEqual([]); // claimed: modificationTime keeps other threads off for retryInterval
  });

  it('rejects unknown columns in a release instead of building SQL from them', async () => {
    await expect(C.releaseJobsFromPreparator(db.sql, ME, [{ id: 1, set: { ['x; DROP TABLE job_table' as 'subStatus']: 1 } }])).rejects.toThrow(/job_table: unknown column/);
  });
}

describe('claims and releases on sqlite', () => {
  channelTests(() => sqliteSettings(), async () => undefined);
});

describeMariaDB('claims and releases on MariaDB', (env) => {
  channelTests(() => mariadbSettings(env, uniquePrefix('chan')), (s) => dropPrefixedTables(env, s.tablePrefix ?? ''));
});
