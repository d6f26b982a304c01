import { toSqlDateTime } from './dates';
import type { SqlParam } from './sql';

/**
 * Normalises bound parameters the same way for both dialects: Dates become
 * naive-UTC text (so sqlite text comparisons and MariaDB DATETIME(3) agree),
 * booleans 1/0, bigints numbers when exact.
 */
/** One parameter, normalised as normaliseParams does. */
export function normaliseParam(p: SqlParam): string | number | null | Buffer {
  if (p instanceof Date) return toSqlDateTime(p);
  if (typeof p === 'boolean') return p ? 1 : 0;
  if (typeof p === 'bigint') return Number.isSafeInteger(Number(p)) ? Number(p) : p.toString();
  return p;
}

/** normaliseParams into the same array (for arrays the caller built and owns): no copy per row. */
export function normaliseInPlace(params: SqlParam[]): void {
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p !== null && typeof p === 'object' && !Buffer.isBuffer(p)) params[i] = normaliseParam(p);
    else if (typeof p === 'boolean' || typeof p === 'bigint') params[i] = normaliseParam(p);
  }
}

export function normaliseParams(params: readonly SqlParam[] | undefined): Array<string | number | null | Buffer> {
  if (!params) return [];
  return params.map(normaliseParam);
}
