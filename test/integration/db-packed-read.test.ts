/**
 * selectDecodedIn reads sqlite rows packed into one JSON string per batch.
 * Whatever a column holds — unicode, quotes, JSON-looking text, JSON columns,
 * timestamps with and without milliseconds, big integers, NULLs — it must
 * decode to exactly what the plain row-by-row read decodes to, on both engines,
 * and across the 500-id batch boundary.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect';
import { fromSqlDateTime } from '../../src/db/dates';
import { JOB_COLUMNS, WORK_COLUMNS } from '../../src/db/columns';
import { decodeRow, JOB_CODEC, WORK_CODEC } from '../../src/db/repo/codec';
import { loadJobColumns, loadJobs } from '../../src/db/repo/jobs';
import { loadWorkerColumns, loadWorkers } from '../../src/db/repo/workers';
import { buildWorkerReport, REPORT_WORKER_COLUMNS } from '../../src/agents/propagator/worker-report';
import { insertRows, selectDecodedIn, selectIn, selectRows } from '../../src/db/repo/sql-util';
import type { DbSettings } from '../../src/db/settings';
import type { Row, SqlParam } from '../../src/db/sql';
import { dropPrefixedTables, mariadbSettings, sqliteSettings, uniquePrefix } from '../helpers/db-settings';
import { describeMariaDB } from '../helpers/mariadb';
import { useMigratedDatabase } from '../helpers/migrated-db';

const N = 1203; // three batches, the last one short
const AWKWARD = ['plain', 'ünïcødé ✓ 日本', `quotes ' " \\ and \n newline \t tab`, '{"looks": "like JSON"}', '[1,2]', 'null', '', ' '];

function jobRow(i: number): Record<string, SqlParam> {
  return {
    PandaID: 9_007_199_254_000_000 + i, // near 2^53: must stay exact
    taskID: i % 7 === 0 ? null : i,
    status: 'running',
    subStatus: AWKWARD[i % AWKWARD.length],
    computingSite: `SITE_${i % 3}`,
    creationTime: i % 2 ? '2030-01-02 03:04:05.678' : '2030-01-02 03:04:05',
    modificationTime: i % 5 === 0 ? null : '2031-12-31 23:59:59.999',
    jobParams: JSON.stringify({ i, name: AWKWARD[(i + 1) % AWKWARD.length], nested: { list: [1, 'two', null, { x: -0.5 }] } }),
    jobAttributes: i % 4 === 0 ? null : JSON.stringify({ pilotErrorDiag: AWKWARD[(i + 2) % AWKWARD.length] }),
    currentPriority: -i,
    nCore: i % 9 === 0 ? null : 8,
  };
}

function packedTests(settingsFor: () => DbSettings, cleanup: (s: DbSettings) => Promise<void>, blobs: boolean): void {
  let db: Database;
  useMigratedDatabase(settingsFor, cleanup, (d) => { db = d; });
  const ids = Array.from({ length: N }, (_, i) => 9_007_199_254_000_000 + i);

  beforeAll(async () => {
    await db.sql.transaction(async (tx) => {
      for (let i = 0; i < N; i++) {
        const r = jobRow(i);
        const cols = Object.keys(r);
        await tx.run(`INSERT INTO job_table (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, cols.map((c) => r[c]));
      }
      await tx.run('INSERT INTO work_table (workerID, status, workAttributes, submitTime, batchID) VALUES (?, ?, ?, ?, ?)',
        [5, 'running', JSON.stringify({ a: 'ü"' }), '2030-05-06 07:08:09.010', 'pid:123']);
    });
  });

  it('decodes every column of every row exactly as the row-by-row read', async () => {
    const plain = (await selectIn(db.sql, 'job_table', JOB_COLUMNS.join(', '), 'PandaID', ids)).map((r) => decodeRow<Record<string, unknown>>(JOB_CODEC, r));
    const packed = await selectDecodedIn<Record<string, unknown>>(db.sql, JOB_CODEC, JOB_COLUMNS, 'PandaID', ids);
    const byId = (rows: Array<Record<string, unknown>>) => new Map(rows.map((r) => [r.PandaID, r]));
    expect(packed).toHaveLength(N);
    expect(byId(packed)).toEqual(byId(plain));
    const one = byId(packed).get(ids[3]);
    expect(one).toMatchObject({
      PandaID: ids[3], subStatus: AWKWARD[3], creationTime: new Date('2030-01-02T03:04:05.678Z'),
      jobParams: { i: 3, name: AWKWARD[4], nested: { list: [1, 'two', null, { x: -0.5 }] } }, currentPriority: -3,
    });
    expect(byId(packed).get(ids[0])).toMatchObject({ taskID: null, jobAttributes: null, modificationTime: null, nCore: null });
  });

  it('applies the extra condition and a column subset; no match gives no rows', async () => {
    const some = await selectDecodedIn<{ PandaID: number; computingSite: string }>(db.sql, JOB_CODEC, ['PandaID', 'computingSite'], 'PandaID', ids,
      { sql: 'computingSite = ?', params: ['SITE_1'] });
    expect(some.map((r) => r.PandaID).sort((a, b) => a - b)).toEqual(ids.filter((_, i) => i % 3 === 1));
    expect(Object.keys(some[0])).toEqual(['PandaID', 'computingSite']);
    expect(await selectDecodedIn(db.sql, JOB_CODEC, JOB_COLUMNS, 'PandaID', [1, 2, 3])).toEqual([]);
  });

  // sqlite stores whatever it is given; MariaDB refuses a BLOB in a LONGTEXT column up front.
  if (blobs) it('a batch holding a BLOB (JSON cannot carry it) is read the plain way; a REAL is kept', async () => {
    const id = 77_000_001;
    await db.sql.run('INSERT INTO job_table (PandaID, status, subStatus, outputFilesToReport, nCore) VALUES (?, ?, ?, ?, ?)',
      [id, 'running', 'running', Buffer.from([0, 1, 2, 255]), 2.5]);
    const [job] = await selectDecodedIn<Record<string, unknown>>(db.sql, JOB_CODEC, JOB_COLUMNS, 'PandaID', [id]);
    expect(Buffer.isBuffer(job.outputFilesToReport)).toBe(true);
    expect([...(job.outputFilesToReport as Buffer)]).toEqual([0, 1, 2, 255]);
    expect(job.nCore).toBe(2.5);
    await db.sql.run('DELETE FROM job_table WHERE PandaID = ?', [id]);
  });

  it('JSON columns: scalars, empty text, escapes and long numbers decode as the plain read; text that is not JSON fails naming the column', async () => {
    const stored: Array<[number, string | null]> = [
      [78_000_001, '"just a string"'], [78_000_002, ''], [78_000_003, 'null'], [78_000_004, '123456789012345678'],
      [78_000_005, '{"a":"\\u00e9\\n\\"q\\"","b":[1.0,-0,1e3],"c":{}}'], [78_000_006, '[]'], [78_000_007, null],
    ];
    for (const [id, text] of stored) await db.sql.run('INSERT INTO job_table (PandaID, status, jobParams) VALUES (?, ?, ?)', [id, 'running', text]);
    const ids = stored.map(([id]) => id);
    const plain = (await selectIn(db.sql, 'job_table', 'PandaID, jobParams', 'PandaID', ids)).map((r) => decodeRow<Record<string, unknown>>(JOB_CODEC, r));
    const packed = await selectDecodedIn<Record<string, unknown>>(db.sql, JOB_CODEC, ['PandaID', 'jobParams'], 'PandaID', ids);
    const byId = (rows: Array<Record<string, unknown>>) => new Map(rows.map((r) => [r.PandaID, r.jobParams]));
    expect(byId(packed)).toEqual(byId(plain));
    expect(byId(packed).get(78_000_001)).toBe('just a string');
    expect(byId(packed).get(78_000_002)).toBeNull();
    expect(byId(packed).get(78_000_005)).toEqual({ a: 'é\n"q"', b: [1, -0, 1000], c: {} });

    await db.sql.run('INSERT INTO job_table (PandaID, status, jobParams) VALUES (?, ?, ?)', [78_000_008, 'running', '{not json']);
    await expect(selectDecodedIn(db.sql, JOB_CODEC, ['PandaID', 'jobParams'], 'PandaID', [...ids, 78_000_008])).rejects.toThrow(/job_table\.jobParams: stored value is not JSON/);
    await db.sql.run('DELETE FROM job_table WHERE PandaID >= 78000001 AND PandaID <= 78000008');
  });

  it('selectRows and selectIn: the same rows as the plain query (aliases, joins, GROUP BY, NULLs, big integers); a BLOB is read the plain way', async () => {
    const q = `SELECT computingSite AS site, COUNT(*) AS n, MAX(PandaID) AS top, MIN(taskID) AS t FROM job_table WHERE PandaID IN (${ids.slice(0, 30).join(', ')}) GROUP BY computingSite ORDER BY computingSite`;
    const plain = await db.sql.all(q, []);
    const packed = await selectRows(db.sql, q, [], ['site', 'n', 'top', 't']);
    expect(packed.map((r) => [r.site, Number(r.n), Number(r.top), r.t === null ? null : Number(r.t)]))
      .toEqual(plain.map((r) => [r.site, Number(r.n), Number(r.top), r.t === null ? null : Number(r.t)]));
    expect(packed.map((r) => Number(r.top))).toContain(ids[29]); // near 2^53, exact
    // A name the query does not output fails, rather than reading as a constant string.
    if (db.sql.dialect === 'sqlite') {
      await expect(selectRows(db.sql, q, [], ['site', 'nope'])).rejects.toThrow(/no such column/);
      await expect(selectRows(db.sql, q, [], ['site', 'n") --'])).rejects.toThrow(/not a plain identifier/);
    }

    const some = ids.slice(0, 700);
    const viaIn = await selectIn(db.sql, 'job_table j', 'j.PandaID, j.subStatus AS sub, taskID', 'j.PandaID', some);
    const direct = await db.sql.all(`SELECT PandaID, subStatus, taskID FROM job_table WHERE PandaID IN (${some.join(', ')})`, []);
    const key = (r: Row) => Number(r.PandaID);
    expect(new Map(viaIn.map((r) => [key(r), [r.sub, r.taskID === null ? null : Number(r.taskID)]])))
      .toEqual(new Map(direct.map((r) => [key(r), [r.subStatus, r.taskID === null ? null : Number(r.taskID)]])));
    expect(Object.keys(viaIn[0]).sort()).toEqual(['PandaID', 'sub', 'taskID']);
    // A select list that is not plain columns is read as it is.
    const counted = await selectIn(db.sql, 'job_table', 'COUNT(*), MAX(PandaID)', 'PandaID', some);
    expect(Number(Object.values(counted[0])[0])).toBe(500);

    if (db.sql.dialect === 'sqlite') {
      await db.sql.run('INSERT INTO work_table (workerID, status, batchID) VALUES (?, ?, ?)', [6, 'running', Buffer.from([1, 2])]);
      const [w] = await selectRows(db.sql, 'SELECT workerID, batchID FROM work_table WHERE workerID = 6', [], ['workerID', 'batchID']);
      expect(Buffer.isBuffer(w.batchID)).toBe(true);
      await db.sql.run('DELETE FROM work_table WHERE workerID = 6');
    }
  });

  it('workers and loadJobs go through it: same values, order as asked', async () => {
    const [w] = await selectDecodedIn<Record<string, unknown>>(db.sql, WORK_CODEC, WORK_COLUMNS, 'workerID', [5]);
    expect(w).toMatchObject({ workerID: 5, workAttributes: { a: 'ü"' }, submitTime: new Date('2030-05-06T07:08:09.010Z'), batchID: 'pid:123' });
    const asked = [ids[10], ids[2], ids[700]];
    expect((await loadJobs(db.sql, asked)).map((j) => j.PandaID)).toEqual(asked);
  });

  it('loadJobColumns: only the asked columns (PandaID always), decoded as loadJobs decodes them, order as asked', async () => {
    const asked = [ids[10], 1, ids[2], ids[700], ids[4]]; // 1 does not exist
    const cols = ['status', 'creationTime', 'jobAttributes', 'nCore'] as const;
    const some = await loadJobColumns(db.sql, asked, cols);
    expect(some.map((j) => j.PandaID)).toEqual([ids[10], ids[2], ids[700], ids[4]]);
    for (const j of some) expect(Object.keys(j).sort()).toEqual(['PandaID', ...cols].sort());
    const full = new Map((await loadJobs(db.sql, asked, { files: false })).map((j) => [j.PandaID, j]));
    for (const j of some) {
      const f = full.get(j.PandaID);
      expect(j).toEqual({ PandaID: f?.PandaID, status: f?.status, creationTime: f?.creationTime, jobAttributes: f?.jobAttributes, nCore: f?.nCore });
    }
    expect(some[1].creationTime).toEqual(new Date('2030-01-02T03:04:05.000Z'));
    expect(some[1].jobAttributes).toEqual({ pilotErrorDiag: AWKWARD[4] });
    expect(await loadJobColumns(db.sql, [], cols)).toEqual([]);
  });

  it('loadWorkerColumns: the propagator report columns decode as loadWorkers decodes them, order as asked', async () => {
    await db.sql.run('INSERT INTO work_table (workerID, status, computingSite, endTime, nJobs, errorCode, workParams) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [7, 'finished', 'Q', '2030-05-06 08:00:00.500', 2, 1008, JSON.stringify({ finalMonStatus: 'finished' })]);
    const asked = [7, 99, 5]; // 99 does not exist
    const some = await loadWorkerColumns(db.sql, asked, REPORT_WORKER_COLUMNS);
    expect(some.map((w) => w.workerID)).toEqual([7, 5]);
    const full = new Map((await loadWorkers(db.sql, asked)).map((w) => [w.workerID, w]));
    for (const w of some) {
      expect(Object.keys(w).sort()).toEqual([...REPORT_WORKER_COLUMNS].sort());
      const f = full.get(w.workerID) as unknown as Record<string, unknown>;
      expect(w).toEqual(Object.fromEntries(REPORT_WORKER_COLUMNS.map((c) => [c, f[c]])));
      // The report from the subset is the report from the whole row.
      expect(buildWorkerReport(w, [1])).toEqual(buildWorkerReport(full.get(w.workerID)!, [1]));
    }
    expect(some[0].endTime).toEqual(new Date('2030-05-06T08:00:00.500Z'));
    expect(some[1].workAttributes).toEqual({ a: 'ü"' });
    await db.sql.run('DELETE FROM work_table WHERE workerID = 7');
  });

  it('insertRows stores exactly what one-row INSERTs store (sqlite: one JSON parameter per batch)', async () => {
    const OFFSET = 1_000_000;
    const rows = Array.from({ length: 620 }, (_, i) => {
      const r: Record<string, unknown> = { ...jobRow(i), PandaID: 9_007_199_254_000_000 + i - OFFSET };
      if (i % 3 === 0) r.stateChangeTime = new Date(Date.UTC(2030, 0, 2, 3, 4, 5, i % 1000)); // a Date, stored as text
      if (i % 11 === 0) r.jobsetID = 2 ** 40 + i; // beyond 32 bits
      return r;
    });
    await db.sql.transaction((tx) => insertRows(tx, JOB_CODEC, rows));
    for (const [i, r] of rows.entries()) {
      if (i % 3 === 0 || i % 11 === 0) continue; // compared by value below
      expect(r.PandaID).toBe(ids[i] - OFFSET);
    }
    const cols = [...JOB_COLUMNS];
    const typed = cols.map((c) => `${c}, ${db.sql.dialect === 'sqlite' ? `typeof(${c})` : `'-'`} AS t_${c}`).join(', ');
    const read = async (idList: number[]) => new Map((await selectIn(db.sql, 'job_table', typed, 'PandaID', idList)).map((r) => [Number(r.PandaID), r]));
    const viaBatch = await read(rows.map((r) => r.PandaID as number));
    const viaSingle = await read(ids.slice(0, rows.length));
    expect(viaBatch.size).toBe(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const a = { ...viaBatch.get(ids[i] - OFFSET) };
      const b = { ...viaSingle.get(ids[i]) };
      for (const k of ['PandaID', 't_PandaID', 'stateChangeTime', 't_stateChangeTime', 'jobsetID', 't_jobsetID']) {
        delete a[k];
        delete b[k];
      }
      expect(a, `row ${i}`).toEqual(b);
    }
    const dated = viaBatch.get(ids[3] - OFFSET);
    expect(fromSqlDateTime(dated?.stateChangeTime)).toEqual(new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 3)));
    expect(Number(viaBatch.get(ids[11] - OFFSET)?.jobsetID)).toBe(2 ** 40 + 11);
    if (db.sql.dialect === 'sqlite') expect(viaBatch.get(ids[11] - OFFSET)?.t_jobsetID).toBe('integer');
  });
}

describe('packed read on sqlite', () => {
  packedTests(() => sqliteSettings(), async () => undefined, true);
});

describeMariaDB('packed read on MariaDB (plain rows, same result)', (env) => {
  packedTests(() => mariadbSettings(env, uniquePrefix('packed')), (s) => dropPrefixedTables(env, s.tablePrefix ?? ''), false);
});
