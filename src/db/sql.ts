/**
 * The one seam between Harvester's SQL and the database driver. Claims and
 * releases are hand-written SQL (they are the hot path and must be a single
 * statement or transaction per batch); everything goes through this interface so
 * the same operation runs on sqlite and MariaDB.
 */
export type Dialect = 'sqlite' | 'mariadb';

/** A bound parameter. Dates are written as naive UTC (`YYYY-MM-DD HH:MM:SS.mmm`). */
export type SqlParam = string | number | bigint | boolean | null | Date | Buffer;

export type Row = Record<string, unknown>;

export interface RunResult {
  /** Rows changed by an INSERT/UPDATE/DELETE. */
  changes: number;
  /** Auto-increment id of the last inserted row, where the engine reports one. */
  lastInsertId?: number;
}

export interface SqlExecutor {
  readonly dialect: Dialect;
  /** A statement that returns rows (SELECT, or UPDATE … RETURNING on sqlite). */
  all<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** A statement that changes rows. */
  run(sql: string, params?: readonly SqlParam[]): Promise<RunResult>;
  /**
   * Runs `fn` in one transaction on one connection; commits when it resolves,
   * rolls back when it throws. On MariaDB a deadlock or lock-wait timeout retries
   * the whole function with jittered back-off (the claim is idempotent).
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}
