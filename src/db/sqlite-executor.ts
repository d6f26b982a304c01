import type sqlite3 from 'sqlite3';
import { SqlError } from './errors';
import { Mutex } from './mutex';
import { normaliseParams } from './sql-params';
import type { Row, RunResult, SqlExecutor, SqlParam } from './sql';

function runRaw(conn: sqlite3.Database, sql: string, params: readonly SqlParam[] | undefined): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    conn.run(sql, normaliseParams(params), function (this: sqlite3.RunResult, err: Error | null) {
      if (err) reject(new SqlError('sqlite', sql, err));
      else resolve({ changes: this.changes, lastInsertId: this.lastID });
    });
  });
}

function allRaw<T extends Row>(conn: sqlite3.Database, sql: string, params: readonly SqlParam[] | undefined): Promise<T[]> {
  return new Promise((resolve, reject) => {
    conn.all(sql, normaliseParams(params), (err: Error | null, rows: T[]) => {
      if (err) reject(new SqlError('sqlite', sql, err));
      else resolve(rows);
    });
  });
}

/** Statements on a connection whose transaction (or session) the caller already holds. */
class SqliteInner implements SqlExecutor {
  readonly dialect = 'sqlite' as const;
  constructor(private readonly conn: sqlite3.Database) {}
  all<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]> {
    return allRaw<T>(this.conn, sql, params);
  }
  run(sql: string, params?: readonly SqlParam[]): Promise<RunResult> {
    return runRaw(this.conn, sql, params);
  }
  /** Already inside a transaction: nested calls join it (sqlite has no nested BEGIN). */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }
  session<T>(fn: (s: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

/**
 * SqlExecutor on one sqlite3 connection. Every statement and transaction holds
 * an in-process mutex. Transactions use BEGIN IMMEDIATE: the write lock is taken
 * up front (waiting up to busy_timeout for other processes), so a transaction
 * never fails half-way with SQLITE_BUSY when it upgrades from read to write.
 */
export class SqliteExecutor implements SqlExecutor {
  readonly dialect = 'sqlite' as const;
  private readonly mutex = new Mutex();
  private readonly inner: SqliteInner;

  constructor(private readonly conn: sqlite3.Database) {
    this.inner = new SqliteInner(conn);
  }

  all<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]> {
    return this.mutex.runExclusive(() => allRaw<T>(this.conn, sql, params));
  }

  run(sql: string, params?: readonly SqlParam[]): Promise<RunResult> {
    return this.mutex.runExclusive(() => runRaw(this.conn, sql, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.mutex.runExclusive(async () => {
      await runRaw(this.conn, 'BEGIN IMMEDIATE', []);
      let result: T;
      try {
        result = await fn(this.inner);
      } catch (err) {
        await runRaw(this.conn, 'ROLLBACK', []).catch(() => undefined);
        throw err;
      }
      try {
        await runRaw(this.conn, 'COMMIT', []);
      } catch (err) {
        await runRaw(this.conn, 'ROLLBACK', []).catch(() => undefined);
        throw err;
      }
      return result;
    });
  }

  session<T>(fn: (s: SqlExecutor) => Promise<T>): Promise<T> {
    return this.mutex.runExclusive(() => fn(this.inner));
  }
}
