/**
 * Naive-UTC timestamps. Both dialects store `YYYY-MM-DD HH:MM:SS.mmm` (sqlite as
 * text, MariaDB as DATETIME(3)); this is also the format TypeORM writes, so rows
 * written by the ORM and by hand-written SQL compare the same way.
 */
export function toSqlDateTime(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new Error('toSqlDateTime: invalid Date');
  return d.toISOString().replace('T', ' ').slice(0, 23);
}

/** A timestamp read back from either dialect (sqlite text or mysql2 Date) as a Date. */
export function fromSqlDateTime(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  if (typeof v === 'string') {
    const iso = v.includes('T') ? v : v.replace(' ', 'T');
    const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
    if (Number.isNaN(d.getTime())) throw new Error(`fromSqlDateTime: unparseable timestamp ${JSON.stringify(v)}`);
    return d;
  }
  if (typeof v === 'number') return new Date(v);
  throw new Error(`fromSqlDateTime: unexpected value of type ${typeof v}`);
}

/** `now` minus `seconds`, for "older than interval" predicates computed in JS. */
export function secondsBefore(now: Date, seconds: number): Date {
  return new Date(now.getTime() - seconds * 1000);
}
