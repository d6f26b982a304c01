import type sqlite3 from 'sqlite3';
import { SqlError } from './errors';
import { Mutex } from './mutex';
import { StatementCache } from './sqlite-statements';
import { normaliseParams } from './sql-params';
import type { Row, RunResult, SqlExecutor, SqlParam } from './sql';

async function runRaw(cache: StatementCache, sql: string, params: readonly SqlParam[] | undefined): Promise<RunResult> {
  const stmt = await cache.get(sql);
  return new Promise((resolve, reject) => {
    stmt.run(normaliseParams(params), function (this: sqlite3.RunResult, err: Error | null) {
      if (err) reject(new SqlError('sqlite', sql, err));
      else resolve({ changes: this.changes, lastInsertId: this.lastID });
    });
  });
}

async function allRaw<T extends Row>(cache: StatementCache, sql: string, params: readonly SqlParam[] | undefined): Promise<T[]> {
  const stmt = await cache.get(sql);
  return new Promise((resolve, reject) => {
    stmt.all(normaliseParams(params), (err: Error | null, rows: T[]) => {
      if (err) reject(new SqlError('sqlite', sql, err));
      else resolve(rows);
    });
  });
}

/** Transaction control through sqlite3_exec: one thread-pool round trip, no statement object. */
function exec(conn: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => conn.exec(sql, (err: Error | null) => (err ? reject(new SqlError('sqlite', sql, err)) : resolve())));
}

/** Statements on a connection whose transaction (or session) the caller already holds. */
class SqliteInner implements SqlExecutor {
  readonly dialect = 'sqlite' as const;
  constructor(private readonly cache: StatementCache) {}
  all<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]> {
    return allRaw<T>(this.cache, sql, params);
  }
  run(sql: string, params?: readonly SqlParam[]): Promise<RunResult> {
    return runRaw(this.cache, sql, params);
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
  private readonly cache: StatementCache;
  private readonly inner: SqliteInner;

  constructor(private readonly conn: sqlite3.Database) {
    this.cache = new StatementCache(conn);
    this.inner = new SqliteInner(this.cache);
  }

  all<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]> {
    return this.mutex.runExclusive(() => allRaw<T>(this.cache, sql, params));
  }

  run(sql: string, params?: readonly SqlParam[]): Promise<RunResult> {
    return this.mutex.runExclusive(() => runRaw(this.cache, sql, params));
  }

  /** Finalizes cached statements; call before closing the connection. */
  close(): Promise<void> {
    return this.mutex.runExclusive(() => this.cache.clear());
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.mutex.runExclusive(async () => {
      await exec(this.conn, 'BEGIN IMMEDIATE');
      let result: T;
      try {
        result = await fn(this.inner);
      } catch (err) {
        await exec(this.conn, 'ROLLBACK').catch(() => undefined);
        throw err;
      }
      try {
        await exec(this.conn, 'COMMIT');
      } catch (err) {
        await exec(this.conn, 'ROLLBACK').catch(() => undefined);
        throw err;
      }
      return result;
    });
  }

  session<T>(fn: (s: SqlExecutor) => Promise<T>): Promise<T> {
    return this.mutex.runExclusive(() => fn(this.inner));
  }
}
