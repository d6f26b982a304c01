import { SqlError } from './errors';
import { normaliseParams } from './sql-params';
import type { Row, RunResult, SqlExecutor, SqlParam } from './sql';

/** The slice of mysql2's callback API we use (TypeORM's MysqlDriver holds the pool untyped). */
export interface MysqlConnection {
  query(sql: string, values: unknown[], cb: (err: Error | null, result: unknown) => void): void;
  release(): void;
}
export interface MysqlPool {
  getConnection(cb: (err: Error | null, conn: MysqlConnection) => void): void;
}

export interface MariaDBRetryPolicy {
  /** Attempts per transaction/statement, counting the first. */
  attempts: number;
  /** Base back-off in ms; attempt n waits base·2ⁿ⁻¹·(0.5…1.5). */
  baseDelayMs: number;
}

const DEFAULT_RETRY: MariaDBRetryPolicy = { attempts: 8, baseDelayMs: 20 };

/** ER_LOCK_DEADLOCK and ER_LOCK_WAIT_TIMEOUT: the server rolled the work back; running it again is safe. */
export function isRetryableLockError(err: unknown): boolean {
  const e = err as { errno?: unknown; cause?: { errno?: unknown } };
  const n = typeof e?.errno === 'number' ? e.errno : e?.cause?.errno;
  return n === 1213 || n === 1205;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function query(conn: MysqlConnection, sql: string, params: readonly SqlParam[] | undefined): Promise<unknown> {
  return new Promise((resolve, reject) => {
    conn.query(sql, normaliseParams(params), (err, result) => (err ? reject(new SqlError('mariadb', sql, err)) : resolve(result)));
  });
}

function toRows<T extends Row>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : [];
}

function toRunResult(result: unknown): RunResult {
  const r = result as { affectedRows?: number; insertId?: number };
  // mysql2 sets CLIENT_FOUND_ROWS by default: affectedRows counts matched rows,
  // the same meaning as sqlite's `changes` for an UPDATE.
  return { changes: r?.affectedRows ?? 0, lastInsertId: r?.insertId || undefined };
}

/** Statements on one pooled connection the caller holds (inside a transaction or session). */
class MariaDBInner implements SqlExecutor {
  readonly dialect = 'mariadb' as const;
  constructor(private readonly conn: MysqlConnection) {}
  async all<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]> {
    return toRows<T>(await query(this.conn, sql, params));
  }
  async run(sql: string, params?: readonly SqlParam[]): Promise<RunResult> {
    return toRunResult(await query(this.conn, sql, params));
  }
  /** Nested: joins the open transaction; a retry, if any, is the outer one's. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }
  session<T>(fn: (s: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

/**
 * SqlExecutor on the mysql2 pool. Connections run READ COMMITTED: claims use
 * `SELECT … FOR UPDATE SKIP LOCKED`, and REPEATABLE READ's gap locks would make
 * concurrent claimers deadlock on index ranges they never actually share.
 */
export class MariaDBExecutor implements SqlExecutor {
  readonly dialect = 'mariadb' as const;
  private readonly prepared = new WeakSet<MysqlConnection>();

  constructor(
    private readonly pool: MysqlPool,
    private readonly retry: MariaDBRetryPolicy = DEFAULT_RETRY,
  ) {}

  private async acquire(): Promise<MysqlConnection> {
    const conn = await new Promise<MysqlConnection>((resolve, reject) =>
      this.pool.getConnection((err, c) => (err ? reject(new SqlError('mariadb', '(getConnection)', err)) : resolve(c))),
    );
    if (!this.prepared.has(conn)) {
      try {
        await query(conn, 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', []);
      } catch (err) {
        conn.release();
        throw err;
      }
      this.prepared.add(conn);
    }
    return conn;
  }

  private async withRetry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= this.retry.attempts || !isRetryableLockError(err)) throw err;
        await sleep(this.retry.baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
      }
    }
  }

  private async onConnection<T>(fn: (conn: MysqlConnection) => Promise<T>): Promise<T> {
    const conn = await this.acquire();
    try {
      return await fn(conn);
    } finally {
      conn.release();
    }
  }

  all<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]> {
    return this.withRetry(() => this.onConnection(async (c) => toRows<T>(await query(c, sql, params))));
  }

  run(sql: string, params?: readonly SqlParam[]): Promise<RunResult> {
    return this.withRetry(() => this.onConnection(async (c) => toRunResult(await query(c, sql, params))));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.withRetry(() =>
      this.onConnection(async (conn) => {
        await query(conn, 'START TRANSACTION', []);
        let result: T;
        try {
          result = await fn(new MariaDBInner(conn));
          await query(conn, 'COMMIT', []);
        } catch (err) {
          await query(conn, 'ROLLBACK', []).catch(() => undefined);
          throw err;
        }
        return result;
      }),
    );
  }

  session<T>(fn: (s: SqlExecutor) => Promise<T>): Promise<T> {
    return this.onConnection((conn) => fn(new MariaDBInner(conn)));
  }
}
