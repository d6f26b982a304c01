import { idSet } from '../claim/engine';
import type { FileSpec } from '../../plugins/types';
import { noIndex, type SqlExecutor } from '../sql';
import { FILE_COLUMNS } from '../columns';
import { decodeRow, FILE_CODEC } from './codec';
import { selectDecodedIn, selectRows } from './sql-util';

/**
 * Stage-out queries of the stager (facts §2.6) beyond the generic row
 * repository: zip members, per-job output file status counts, finished files
 * for the report, and the knock-on updates of zip members and events.
 */

/** File types that leave the resource (what hasOutFile and the stage-out result are about). */
export const OUTPUT_FILE_TYPES = ['output', 'log', 'es_output', 'zip_output'] as const;

/** Members packed into these zip files (`zipFileID`), by zip fileID. */
export async function loadZipMembers(sql: SqlExecutor, zipFileIDs: readonly number[]): Promise<Map<number, FileSpec[]>> {
  const out = new Map<number, FileSpec[]>();
  if (zipFileIDs.length === 0) return out;
  for (let i = 0; i < zipFileIDs.length; i += 500) {
    const ids = idSet(sql, zipFileIDs.slice(i, i + 500));
    for (const r of await sql.all(`SELECT * FROM file_table WHERE zipFileID IN ${ids.sql} ORDER BY fileID`, ids.params)) {
      const f = decodeRow<FileSpec>(FILE_CODEC, r);
      const zipID = f.zipFileID as number;
      const list = out.get(zipID) ?? [];
      list.push(f);
      out.set(zipID, list);
    }
  }
  return out;
}

/** `{PandaID → {status → count}}` over the jobs' output-type files that are not zip members. */
export async function outputStatusCounts(sql: SqlExecutor, pandaIDs: readonly number[]): Promise<Map<number, Map<string, number>>> {
  const out = new Map<number, Map<string, number>>();
  for (let i = 0; i < pandaIDs.length; i += 500) {
    const ids = idSet(sql, pandaIDs.slice(i, i + 500));
    const types = idSet(sql, OUTPUT_FILE_TYPES);
    const rows = await selectRows(sql,
      `SELECT PandaID, status, COUNT(*) AS n FROM file_table
        WHERE PandaID IN ${ids.sql} AND fileType IN ${types.sql} AND ${noIndex(sql.dialect, 'zipFileID')} IS NULL GROUP BY PandaID, status`,
      [...ids.params, ...types.params], ['PandaID', 'status', 'n'],
    );
    for (const r of rows) {
      const id = Number(r.PandaID);
      const m = out.get(id) ?? new Map<string, number>();
      m.set(String(r.status), Number(r.n));
      out.set(id, m);
    }
  }
  return out;
}

/** Finished output and log files of the jobs (what PanDA is told was stored), zip members included. */
export async function finishedOutputFiles(sql: SqlExecutor, pandaIDs: readonly number[]): Promise<FileSpec[]> {
  const files = await selectDecodedIn<FileSpec>(sql, FILE_CODEC, FILE_COLUMNS, 'PandaID', pandaIDs, {
    sql: `${noIndex(sql.dialect, 'status')} = 'finished' AND fileType IN ('output', 'log')`, params: [],
  });
  return files.sort((a, b) => a.fileID - b.fileID);
}

/** A zip file reached a final transfer status: its members share it. */
export async function setZipMembersStatus(sql: SqlExecutor, zipFileID: number, status: string, now: Date): Promise<void> {
  await sql.run('UPDATE file_table SET status = ?, modificationTime = ? WHERE zipFileID = ?', [status, now, zipFileID]);
}

/**
 * Event sub-statuses follow the transfer of the file holding their output
 * (facts §5.4): transferring / finished / failed. Events already reported
 * (`done`) are left alone. `fileIDs` may be zip files: their members' events
 * follow too.
 */
export async function setEventsOfFiles(sql: SqlExecutor, fileIDs: readonly number[], subStatus: string): Promise<void> {
  for (let i = 0; i < fileIDs.length; i += 500) {
    const ids = idSet(sql, fileIDs.slice(i, i + 500));
    const ids2 = idSet(sql, fileIDs.slice(i, i + 500));
    await sql.run(
      `UPDATE event_table SET subStatus = ? WHERE subStatus <> 'done' AND eventRangeID IN (
         SELECT eventRangeID FROM file_table WHERE eventRangeID IS NOT NULL AND (fileID IN ${ids.sql} OR zipFileID IN ${ids2.sql}))`,
      [subStatus, ...ids.params, ...ids2.params],
    );
  }
}

/** Output files of the jobs still waiting to be grouped into a zip (`pending`, no zip yet), in fileID order. */
export async function pendingOutputFiles(sql: SqlExecutor, pandaIDs: readonly number[]): Promise<FileSpec[]> {
  const out: FileSpec[] = [];
  for (let i = 0; i < pandaIDs.length; i += 500) {
    const ids = idSet(sql, pandaIDs.slice(i, i + 500));
    const rows = await sql.all(
      `SELECT * FROM file_table WHERE PandaID IN ${ids.sql} AND ${noIndex(sql.dialect, 'status')} = 'pending' AND ${noIndex(sql.dialect, 'zipFileID')} IS NULL ORDER BY fileID`,
      ids.params,
    );
    out.push(...rows.map((r) => decodeRow<FileSpec>(FILE_CODEC, r)));
  }
  return out;
}

/**
 * Creates one `zip_output` file (status `zipping`, scope `panda`, named
 * `panda.<first member lfn>.zip` as the original) and marks the members
 * `zipped` into it. Run inside the caller's owner-checked transaction.
 */
export async function createZipFile(sql: SqlExecutor, members: readonly FileSpec[], now: Date): Promise<number> {
  const first = members[0];
  if (!first) throw new Error('createZipFile: no member files');
  const lfn = `panda.${first.lfn}.zip`;
  await sql.run(
    `INSERT INTO file_table (PandaID, taskID, lfn, status, fileType, scope, isZip, attemptNr, todelete, modificationTime)
     VALUES (?, ?, ?, 'zipping', 'zip_output', 'panda', 1, 0, 0, ?)`,
    [first.PandaID, first.taskID ?? null, lfn, now],
  );
  const [row] = await sql.all<{ fileID: unknown }>(
    "SELECT MAX(fileID) AS fileID FROM file_table WHERE PandaID = ? AND lfn = ? AND fileType = 'zip_output'", [first.PandaID, lfn],
  );
  const zipID = Number(row?.fileID);
  if (!Number.isFinite(zipID)) throw new Error(`createZipFile: zip file ${lfn} of job ${first.PandaID} not found after insert`);
  const ids = idSet(sql, members.map((m) => m.fileID));
  await sql.run(`UPDATE file_table SET status = 'zipped', zipFileID = ?, modificationTime = ? WHERE fileID IN ${ids.sql}`, [zipID, now, ...ids.params]);
  return zipID;
}
