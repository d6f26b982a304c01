import type { FileSpec } from '../../plugins/types';
import { noIndex, type SqlExecutor, type SqlParam } from '../sql';
import { FILE_COLUMNS } from '../columns';
import { FILE_CODEC } from './codec';
import { bulkUpdate } from './bulk-update';
import { insertRows, selectDecodedIn } from './sql-util';

/** Files of the given jobs, optionally only some types/statuses. */
export async function loadFilesOfJobs(sql: SqlExecutor, pandaIDs: readonly number[], filter: { fileTypes?: string[]; statuses?: string[] } = {}): Promise<FileSpec[]> {
  const conds: string[] = [];
  const params: SqlParam[] = [];
  if (filter.fileTypes?.length) { conds.push(`fileType IN (${filter.fileTypes.map(() => '?').join(', ')})`); params.push(...filter.fileTypes); }
  // By job first: most files of a harvester share a few statuses (see noIndex).
  if (filter.statuses?.length) { conds.push(`${noIndex(sql.dialect, 'status')} IN (${filter.statuses.map(() => '?').join(', ')})`); params.push(...filter.statuses); }
  return selectDecodedIn<FileSpec>(sql, FILE_CODEC, FILE_COLUMNS, 'PandaID', pandaIDs, conds.length ? { sql: conds.join(' AND '), params } : undefined);
}

/** Inserts new files (output files reported by a payload, zip files). */
export async function insertFiles(sql: SqlExecutor, files: ReadonlyArray<Omit<FileSpec, 'fileID'>>): Promise<void> {
  await insertRows(sql, FILE_CODEC, files as ReadonlyArray<Record<string, unknown>>);
}

/**
 * Writes changed columns of files: one bulk UPDATE per column set, not one per
 * file (callers run it inside their transaction).
 */
export async function updateFiles(sql: SqlExecutor, updates: ReadonlyArray<{ fileID: number; set: Partial<Record<keyof FileSpec, unknown>> }>): Promise<void> {
  await bulkUpdate(sql, FILE_CODEC, 'fileID', updates.map((u) => ({ id: u.fileID, set: u.set as Record<string, unknown> })));
}
