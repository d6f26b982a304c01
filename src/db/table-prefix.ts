import type { Row, RunResult, SqlExecutor, SqlParam } from './sql';
import { TABLE_NAMES } from './tables';

// Word boundaries: index names such as idx_taskID_job_table are not rewritten
// ('_' is a word character), table names in FROM/UPDATE/INTO/ON clauses are.
const TABLE_RE = new RegExp(`\\b(${TABLE_NAMES.join('|')})\\b`, 'g');

export function prefixTableNames(sql: string, prefix: string): string {
  return sql.replace(TABLE_RE, `${prefix}$1`);
}

/**
 * Rewrites the original table names to `<prefix><name>` in every statement.
 * Only for tests and benchmarks that must share one MariaDB database with
 * other users (the harvester account cannot create databases); production
 * runs without a prefix and this wrapper is not installed.
 */
export class PrefixedExecutor implements SqlExecutor {
  readonly dialect;
  constructor(private readonly inner: SqlExecutor, private readonly prefix: string) {
    if (!/^[A-Za-z0-9_]+$/.test(prefix)) throw new Error(`tablePrefix ${JSON.stringify(prefix)}: only letters, digits and _ allowed`);
    this.dialect = inner.dialect;
  }
  all<T extends Row = Row>(sql: string, params?: readonly SqlParam[]): Promise<T[]> {
    return this.inner.all<T>(prefixTableNames(sql, this.prefix), params);
  }
  run(sql: string, params?: readonly SqlParam[]): Promise<RunResult> {
    return this.inner.run(prefixTableNames(sql, this.prefix), params);
  }
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.inner.transaction((tx) => fn(new PrefixedExecutor(tx, this.prefix)));
  }
  session<T>(fn: (s: SqlExecutor) => Promise<T>): Promise<T> {
    return this.inner.session((s) => fn(new PrefixedExecutor(s, this.prefix)));
  }
}
