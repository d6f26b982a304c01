import type { JobColumn } from '../columns';
import type { SqlExecutor } from '../sql';
import { fragment, releaseRows, type ReleaseResult, type ReleaseRow } from './engine';

export type JobRelease = ReleaseRow<number, JobColumn>;

/**
 * Release of the job `lockedBy` channel (shared by preparator and submitter):
 * writes each row's `set` and `lockedBy = NULL` only where `lockedBy = owner`
 * (and the row's `expect`, e.g. the subStatus it had when claimed).
 */
export function releaseJobs(sql: SqlExecutor, owner: string, rows: readonly JobRelease[]): Promise<ReleaseResult<number>> {
  return releaseRows(sql, { table: 'job_table', pk: 'PandaID', owned: fragment('lockedBy = ?', owner), clear: { lockedBy: null } }, rows);
}
