import { idSet } from '../claim/engine';
import { secondsBefore } from '../dates';
import type { SqlExecutor, SqlParam } from '../sql';
import { fromSqlDateTime } from '../dates';
import { selectRows } from './sql-util';

/**
 * Stage-in queries of the preparator (facts §2.3) that the generic row
 * repository does not have: the in-flight count behind maxJobsToTrigger and
 * the cross-job lookup of input files by LFN.
 */

export interface CountInPreparationInput {
  /** Seconds after which a preparator lock counts as abandoned. */
  lockInterval: number;
  now: Date;
  /** Only these queues (computingSite); all when omitted. */
  computingSites?: readonly string[];
}

/**
 * Jobs whose stage-in is under way: subStatus `preparing`, plus `fetched` jobs
 * a preparator thread holds right now (fresh lock). The trigger phase takes
 * only `maxJobsToTrigger` minus this, so the setting caps concurrent
 * preparations rather than jobs per cycle (as the original).
 */
export async function countJobsInPreparation(sql: SqlExecutor, input: CountInPreparationInput): Promise<number> {
  const params: SqlParam[] = [secondsBefore(input.now, input.lockInterval)];
  let site = '';
  if (input.computingSites?.length) {
    const s = idSet(sql, input.computingSites);
    site = ` AND computingSite IN ${s.sql}`;
    params.push(...s.params);
  }
  const [row] = await sql.all<{ n: unknown }>(
    `SELECT COUNT(*) AS n FROM job_table
      WHERE (subStatus = 'preparing' OR (subStatus = 'fetched' AND lockedBy IS NOT NULL AND preparatorTime IS NOT NULL AND preparatorTime > ?))${site}`,
    params,
  );
  return Number(row?.n ?? 0);
}

/** One copy of an input LFN held by a job that is still starting. */
export interface InputFileCopy {
  PandaID: number;
  fileID: number;
  lfn: string;
  fileType: string;
  endpoint: string | null;
  status: string;
  path: string | null;
  groupID: string | null;
  groupStatus: string | null;
  groupUpdateTime: Date | null;
}

const COPY_COLUMNS = ['PandaID', 'fileID', 'lfn', 'fileType', 'endpoint', 'status', 'path', 'groupID', 'groupStatus', 'groupUpdateTime'];

/** File statuses that say something about an LFN's stage-in (the original's get_file_status). */
const LOOKUP_STATUSES = ['ready', 'to_prepare', 'triggered', 'preparing'];

/**
 * Every copy of these LFNs (input and aux_input files) held by jobs in status
 * `starting`, so one job can reuse another's `ready` copy or wait while
 * another job stages the same file in. One query for a whole claimed batch.
 */
export async function findInputFileCopies(sql: SqlExecutor, lfns: readonly string[]): Promise<InputFileCopy[]> {
  const unique = [...new Set(lfns)];
  const out: InputFileCopy[] = [];
  for (let i = 0; i < unique.length; i += 500) {
    const part = idSet(sql, unique.slice(i, i + 500));
    const statuses = idSet(sql, LOOKUP_STATUSES);
    const rows = await selectRows(sql,
      `SELECT f.PandaID, f.fileID, f.lfn, f.fileType, f.endpoint, f.status, f.path, f.groupID, f.groupStatus, f.groupUpdateTime
         FROM file_table f JOIN job_table j ON j.PandaID = f.PandaID
        WHERE f.lfn IN ${part.sql} AND f.fileType IN ('input', 'aux_input') AND f.status IN ${statuses.sql} AND j.status = 'starting'`,
      [...part.params, ...statuses.params], COPY_COLUMNS,
    );
    for (const r of rows) {
      out.push({
        PandaID: Number(r.PandaID),
        fileID: Number(r.fileID),
        lfn: String(r.lfn),
        fileType: String(r.fileType),
        endpoint: r.endpoint === null || r.endpoint === undefined ? null : String(r.endpoint),
        status: String(r.status),
        path: r.path === null || r.path === undefined ? null : String(r.path),
        groupID: r.groupID === null || r.groupID === undefined ? null : String(r.groupID),
        groupStatus: r.groupStatus === null || r.groupStatus === undefined ? null : String(r.groupStatus),
        groupUpdateTime: fromSqlDateTime(r.groupUpdateTime),
      });
    }
  }
  return out;
}
