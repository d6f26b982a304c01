import { beforeEach, expect, it, describe } from 'vitest';
import type { Database } from '../../src/db/connect';
import { fromSqlDateTime } from '../../src/db/dates';
import { bulkUpdate } from '../../src/db/repo/bulk-update';
import { FILE_CODEC, JOB_CODEC, WORK_CODEC } from '../../src/db/repo/codec';
import type { DbSettings } from '../../src/db/settings';
import type { SqlParam } from '../../src/db/sql';
import { dropPrefixedTables, mariadbSettings, sqliteSettings, uniquePrefix } from '../helpers/db-settings';
import { describeMariaDB } from '../helpers/mariadb';
import { useMigratedDatabase } from '../helpers/migrated-db';

const T0 = new Date('2030-01-01T00:00:00.123Z');
const ME = 'monitor-hostA_1-0';
const OTHER = 'monitor-hostB_2-0';

async function insert(db: Database, table: string, rows: Array<Record<string, SqlParam>>): Promise<void> {
  for (const r of rows) {
    const cols = Object.keys(r);
    await db.sql.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, cols.map((c) => r[c]));
  }
}

function bulkTests(settingsFor: () => DbSettings, cleanup: (s: DbSettings) => Promise<void>): void {
  let db: Database;
  useMigratedDatabase(settingsFor, cleanup, (d) => { db = d; });
  beforeEach(async () => {
    for (const t of ['job_table', 'work_table', 'file_table']) await db.sql.run(`DELETE FROM ${t}`);
  });

  it('writes per-row values, groups column sets, checks expect null-safely and the owner condition', async () => {
    await insert(db, 'work_table', [
      { workerID: 1, status: 'submitted', lockedBy: ME },
      { workerID: 2, status: 'submitted', lockedBy: ME },
      { workerID: 3, status: 'submitted', lockedBy: OTHER }, // a former owner must write nothing here
      { workerID: 4, status: 'running', lockedBy: ME, batchID: null },
    ]);
    const res = await db.sql.transaction((tx) => bulkUpdate(tx, WORK_CODEC, 'workerID', [
      { id: 1, set: { status: 'running', startTime: T0, workAttributes: { a: 1 } } },
      { id: 2, set: { status: 'finished', startTime: null, workAttributes: null } },
      { id: 3, set: { status: 'failed', startTime: T0, workAttributes: null } },
      { id: 4, set: { nativeStatus: 'R' }, expect: { batchID: null } },
      { id: 99, set: { status: 'running' } },
    ], { constSet: { lockedBy: null }, where: { sql: 'lockedBy = ?', params: [ME] }, returnIds: true }));
    expect(res.changes).toBe(3);
    expect((res.ids ?? []).map(Number).sort()).toEqual([1, 2, 4]);
    const rows = await db.sql.all('SELECT workerID, status, startTime, workAttributes, lockedBy, nativeStatus FROM work_table ORDER BY workerID');
    expect(rows.map((r) => [Number(r.workerID), r.status, fromSqlDateTime(r.startTime), r.workAttributes, r.lockedBy, r.nativeStatus])).toEqual([
      [1, 'running', T0, '{"a":1}', null, null],
      [2, 'finished', null, null, null, null],
      [3, 'submitted', null, null, OTHER, null],
      [4, 'running', null, null, null, 'R'],
    ]);
  });

  it('rows whose column sets change from row to row (order, undefined values, a subset, a superset) each write their own columns', async () => {
    await insert(db, 'work_table', Array.from({ length: 7 }, (_, i) => ({ workerID: i + 1, status: 'submitted', nativeStatus: 'old', batchID: 'b' })));
    await bulkUpdate(db.sql, WORK_CODEC, 'workerID', [
      { id: 1, set: { status: 'running', nativeStatus: 'R1' } },
      { id: 2, set: { status: 'running', nativeStatus: 'R2' } },
      { id: 3, set: { nativeStatus: 'R3', status: 'failed' } },
      { id: 4, set: { status: 'running', nativeStatus: undefined } },
      { id: 5, set: { status: 'running', nativeStatus: 'R5', batchID: 'b5' } },
      { id: 6, set: { status: 'running' }, expect: { batchID: 'b' } },
      { id: 7, set: { status: 'running', nativeStatus: 'R7' }, expect: { batchID: 'other' } },
    ]);
    const rows = await db.sql.all('SELECT workerID, status, nativeStatus, batchID FROM work_table ORDER BY workerID');
    expect(rows.map((r) => [Number(r.workerID), r.status, r.nativeStatus, r.batchID])).toEqual([
      [1, 'running', 'R1', 'b'], [2, 'running', 'R2', 'b'], [3, 'failed', 'R3', 'b'], [4, 'running', 'old', 'b'],
      [5, 'running', 'R5', 'b5'], [6, 'running', 'old', 'b'], [7, 'submitted', 'old', 'b'],
    ]);
  });

  it('expect mismatches leave the row alone; repeated ids apply in order; many rows and numbers', async () => {
    await insert(db, 'job_table', [
      { PandaID: 1, status: 'running', subStatus: 'running' },
      { PandaID: 2, status: 'running', subStatus: 'running' },
    ]);
    const res = await bulkUpdate(db.sql, JOB_CODEC, 'PandaID', [
      { id: 1, set: { subStatus: 'x', nCore: 8 }, expect: { status: 'running', subStatus: 'running' } },
      { id: 2, set: { subStatus: 'y', nCore: 8 }, expect: { status: 'finished', subStatus: 'running' } },
      { id: 1, set: { subStatus: 'z', nCore: 4 }, expect: { status: 'running', subStatus: 'x' } },
    ]);
    expect(res.changes).toBe(2);
    const rows = await db.sql.all('SELECT PandaID, subStatus, nCore FROM job_table ORDER BY PandaID');
    expect(rows.map((r) => [Number(r.PandaID), r.subStatus, r.nCore === null ? null : Number(r.nCore)])).toEqual([[1, 'z', 4], [2, 'running', null]]);

    const n = 1200;
    const ids = Array.from({ length: n }, (_, i) => i + 1);
    await db.sql.transaction(async (tx) => {
      for (const id of ids) await tx.run('INSERT INTO file_table (fileID, PandaID, lfn, status) VALUES (?, 1, ?, ?)', [id, `f${id}`, 'defined']);
    });
    const w = await db.sql.transaction((tx) => bulkUpdate(tx, FILE_CODEC, 'fileID', ids.map((id) => ({ id, set: { status: 'finished', fsize: id * 10, path: `/p/${id}'"\\` } }))));
    expect(w.changes).toBe(n);
    const [row] = await db.sql.all('SELECT fsize, path FROM file_table WHERE fileID = 1000');
    expect([Number(row.fsize), row.path]).toEqual([10000, `/p/1000'"\\`]);
  });
}

describe('bulkUpdate on sqlite', () => {
  bulkTests(() => sqliteSettings(), async () => undefined);
});

describeMariaDB('bulkUpdate on MariaDB', (env) => {
  bulkTests(() => mariadbSettings(env, uniquePrefix('bulk')), (s) => dropPrefixedTables(env, s.tablePrefix ?? ''));
});
