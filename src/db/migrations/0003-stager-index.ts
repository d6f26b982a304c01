import type { Migration } from './types';

/*
 * The stager's claim picks `(subStatus = X OR hasOutFile = flag)` in
 * stagerTime order. Without an index on hasOutFile the planner could only walk
 * the stagerTime index over EVERY job, testing each row: 1.4 ms per claim at
 * 6000 jobs and growing with the table, run 6 times a second (3 threads × the
 * passes) in bench/e2e.ts — the one claim whose cost grew with the number of
 * finished jobs kept. With it, sqlite and MariaDB answer the OR from the two
 * indexes (subStatus is indexed already) and sort only the candidates.
 */
export const m0003StagerIndex: Migration = {
  id: '0003-stager-index',
  sqlite: ['CREATE INDEX IF NOT EXISTS idx_hasOutFile_job_table ON job_table (hasOutFile)'],
  mariadb: ['CREATE INDEX IF NOT EXISTS idx_hasOutFile_job_table ON job_table (hasOutFile)'],
};
