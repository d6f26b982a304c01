import { toSqlDateTime } from './dates';
import type { SqlParam } from './sql';

/**
 * Normalises bound parameters the same way for both dialects: Dates become
 * naive-UTC text (so sqlite text comparisons and MariaDB DATETIME(3) agree),
 * booleans 1/0, bigints numbers when exact.
 */
export function normaliseParams(params: readonly SqlParam[] | undefined): Array<string | number | null | Buffer> {
  if (!params) return [];
  return params.map((p) => {
    if (p instanceof Date) return toSqlDateTime(p);
    if (typeof p === 'boolean') return p ? 1 : 0;
    if (typeof p === 'bigint') return Number.isSafeInteger(Number(p)) ? Number(p) : p.toString();
    return p;
  });
}
