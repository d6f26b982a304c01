import type { Migration } from './types';

/*
 * Two queries that walked every job, at a cost growing with the finished jobs
 * kept (bench/e2e.ts, N = 6000–20000):
 * - the stager claim picks `(subStatus = X OR hasOutFile = flag)` in
 *   stagerTime order; without an index on hasOutFile the only plan was to walk
 *   the stagerTime index over all jobs testing each (1.4 ms per claim at 6000
 *   jobs, 6 claims a second). With it the OR is answered from the subStatus
 *   and hasOutFile indexes and only the candidates are sorted.
 * - the sweeper's old-job lookup (`done`, modified before keep time OR created
 *   before twice that) read every `done` job each cycle; (subStatus,
 *   creationTime) serves the second branch as a range, the existing
 *   modificationTime index the first (sweeper-deletes.ts). creationTime never
 *   changes after insert, so this index costs nothing on updates.
 */
const INDEXES: ReadonlyArray<[name: string, table: string, cols: string]> = [
  ['idx_hasOutFile_job_table', 'job_table', 'hasOutFile'],
  ['idx_subStatus_creationTime_job_table', 'job_table', 'subStatus, creationTime'],
];

export const m0003ScanIndexes: Migration = {
  id: '0003-scan-indexes',
  sqlite: INDEXES.map(([n, t, c]) => `CREATE INDEX IF NOT EXISTS ${n} ON ${t} (${c})`),
  mariadb: INDEXES.map(([n, t, c]) => `CREATE INDEX IF NOT EXISTS ${n} ON ${t} (${c})`),
};
