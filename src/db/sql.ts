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
  /**
   * Runs `fn` on one dedicated connection without opening a transaction, for
   * session-scoped state such as MariaDB's `GET_LOCK()` (DDL commits implicitly,
   * so migrations cannot run inside `transaction`). No retry. On sqlite it holds
   * the in-process mutex for the duration, like `transaction`.
   */
  session<T>(fn: (s: SqlExecutor) => Promise<T>): Promise<T>;
}

/** Placeholders for an `IN (…)` list: `?, ?, ?`. Throws on an empty list (`IN ()` is invalid SQL). */
export function placeholders(n: number): string {
  if (n <= 0) throw new Error('placeholders: empty IN list');
  return new Array<string>(n).fill('?').join(', ');
}

/**
 * A column reference sqlite will not use an index for (`+col`): the condition
 * then filters the rows another index found. Without ANALYZE statistics
 * sqlite's planner takes any equality on an indexed column, `IS NULL`
 * included, for the most selective path, but in a harvester's tables some of
 * those hold for nearly every row: the site (a harvester serves few queues),
 * `lastUpdate IS NULL` (every reported worker), `zipFileID IS NULL` (every
 * file not in a zip). Reading through such an index costs every row of the
 * table on each call, a cost that grows with the rows kept until swept.
 * MariaDB keeps statistics and picks for itself: the plain column.
 */
export function noIndex(dialect: Dialect, col: string): string {
  return dialect === 'sqlite' ? `+${col}` : col;
}
