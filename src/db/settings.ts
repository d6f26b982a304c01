/**
 * What the database layer needs from the `[db]` config section. Kept here (not
 * imported from src/config) so the db layer has no dependency on the config
 * module; `HarvesterConfig['db']` is structurally compatible.
 */
export interface DbSettings {
  engine: 'sqlite' | 'mariadb';
  /** sqlite file; its parent directory is created on open. */
  database_filename: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** MariaDB database name. */
  schema: string;
  /** MariaDB pool size. */
  nConnections: number;
  /** Seconds to keep retrying an unreachable MariaDB server at open. */
  reconnectTimeout: number;
  /** sqlite busy timeout, milliseconds. */
  busyTimeout: number;
  /**
   * Optional prefix for every table name (MariaDB tests and benchmarks that
   * share one database they cannot create siblings of). Empty in production.
   */
  tablePrefix?: string;
}
