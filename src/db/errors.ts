import type { Dialect } from './sql';

/** A failed statement, with the dialect, the driver's error code and the start of the SQL for context. */
export class SqlError extends Error {
  readonly dialect: Dialect;
  readonly sql: string;
  /** Driver code, e.g. 'SQLITE_BUSY' or 'ER_LOCK_DEADLOCK'. */
  readonly code?: string;
  /** MariaDB error number, e.g. 1213. */
  readonly errno?: number;

  constructor(dialect: Dialect, sql: string, cause: unknown) {
    const c = cause as { message?: string; code?: unknown; errno?: unknown };
    const short = sql.replace(/\s+/g, ' ').trim().slice(0, 240);
    super(`${dialect}: ${c?.message ?? String(cause)} [SQL: ${short}]`, { cause });
    this.name = 'SqlError';
    this.dialect = dialect;
    this.sql = sql;
    if (typeof c?.code === 'string') this.code = c.code;
    if (typeof c?.errno === 'number') this.errno = c.errno;
  }
}
