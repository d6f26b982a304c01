/** Every table this layer owns, under the original's names, plus migration bookkeeping. */
export const TABLE_NAMES = [
  'job_table', 'work_table', 'file_table', 'event_table', 'jw_table', 'pq_table', 'cache_table',
  'command_table', 'seq_table', 'lock_table', 'diag_table', 'qcdump_table', 'sm_table', 'schema_migrations',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];
