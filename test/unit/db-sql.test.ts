import { describe, expect, it } from 'vitest';
import { columnDateParser, fromSqlDateTime, secondsBefore, toSqlDateTime } from '../../src/db/dates';
import { Mutex } from '../../src/db/mutex';
import { normaliseParams } from '../../src/db/sql-params';
import { prefixTableNames } from '../../src/db/table-prefix';
import { processOwnerPattern, ownerId } from '../../src/db/owner';

describe('db helpers', () => {
  it('writes naive UTC with milliseconds, as TypeORM does, and reads both dialects back', () => {
    const d = new Date('2030-05-06T07:08:09.012Z');
    expect(toSqlDateTime(d)).toBe('2030-05-06 07:08:09.012');
    expect(fromSqlDateTime('2030-05-06 07:08:09.012')).toEqual(d);
    expect(fromSqlDateTime(d)).toBe(d);
    expect(fromSqlDateTime(null)).toBeNull();
    expect(secondsBefore(d, 1.5)).toEqual(new Date('2030-05-06T07:08:07.512Z'));
    expect(() => toSqlDateTime(new Date('nope'))).toThrow(/invalid/);
  });

  it('formats alternating, repeated and colliding instants exactly (the format cache never answers for another instant)', () => {
    const a = new Date('2030-05-06T07:08:09.012Z');
    const b = new Date('2030-05-06T07:08:09.013Z');
    const c = new Date(a.getTime() + 16); // same cache slot as a
    expect([a, a, b, c, a, c, b].map(toSqlDateTime)).toEqual(['2030-05-06 07:08:09.012', '2030-05-06 07:08:09.012', '2030-05-06 07:08:09.013',
      '2030-05-06 07:08:09.028', '2030-05-06 07:08:09.012', '2030-05-06 07:08:09.028', '2030-05-06 07:08:09.013']);
    expect(toSqlDateTime(new Date('1960-01-01T00:00:00.001Z'))).toBe('1960-01-01 00:00:00.001'); // negative epoch ms
  });

  it('formats every field as the ISO text does (padding, month and day ends, leap days, years outside 1000-9999)', () => {
    const iso = (d: Date): string => d.toISOString().replace('T', ' ').slice(0, 23);
    let t = Date.UTC(1999, 11, 31, 23, 59, 59, 999);
    for (let i = 0; i < 5000; i++, t += 86_400_000 * 3 + 3_661_007) expect(toSqlDateTime(new Date(t))).toBe(iso(new Date(t)));
    for (const s of ['2024-02-29T00:00:00.000Z', '2030-01-01T00:00:00.000Z', '1000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '0999-12-31T23:59:59.999Z']) {
      expect(toSqlDateTime(new Date(s))).toBe(iso(new Date(s)));
    }
    expect(toSqlDateTime(new Date(Date.UTC(10_000, 0, 1)))).toBe(iso(new Date(Date.UTC(10_000, 0, 1))));
  });

  it('a column date parser remembers the last text but gives every row its own Date', () => {
    const parse = columnDateParser();
    const a = new Date('2030-05-06T07:08:09.012Z');
    const first = parse('2030-05-06 07:08:09.012');
    const again = parse('2030-05-06 07:08:09.012');
    expect(again).toEqual(a);
    expect(again).not.toBe(first);
    first?.setTime(0);
    expect(parse('2030-05-06 07:08:09.012')).toEqual(a);
    expect(parse('2030-05-06 07:08:10')).toEqual(new Date('2030-05-06T07:08:10.000Z'));
    expect(parse('2030-05-06 07:08:09.012')).toEqual(a);
    expect(parse(null)).toBeNull();
    expect(parse(a)).toBe(a);
    expect(() => parse('yesterday')).toThrow(/unparseable/);
  });

  it('parses leap days by the calendar; a day the month lacks reads as the Date parser reads it', () => {
    expect(fromSqlDateTime('2028-02-29 00:00:00.000')).toEqual(new Date('2028-02-29T00:00:00.000Z'));
    expect(fromSqlDateTime('2000-02-29 12:00:00')).toEqual(new Date('2000-02-29T12:00:00.000Z'));
    expect(fromSqlDateTime('2030-04-30 23:59:59.999')).toEqual(new Date('2030-04-30T23:59:59.999Z'));
    for (const odd of ['2030-02-29 00:00:00', '2100-02-29 00:00:00', '2030-04-31 00:00:00']) {
      expect(fromSqlDateTime(odd), odd).toEqual(new Date(`${odd.replace(' ', 'T')}Z`));
    }
    expect(() => fromSqlDateTime('2030-13-01 00:00:00')).toThrow(/unparseable/);
  });

  it('normalises parameters the same for both dialects', () => {
    expect(normaliseParams([new Date('2030-01-01T00:00:00Z'), true, false, 5n, null, 'x'])).toEqual(['2030-01-01 00:00:00.000', 1, 0, 5, null, 'x']);
  });

  it('prefixes table names but not index names that contain them', () => {
    const sql = 'CREATE INDEX IF NOT EXISTS idx_taskID_job_table ON job_table (taskID); SELECT * FROM work_table JOIN jw_table';
    expect(prefixTableNames(sql, 't_')).toBe('CREATE INDEX IF NOT EXISTS idx_taskID_job_table ON t_job_table (taskID); SELECT * FROM t_work_table JOIN t_jw_table');
  });

  it('mutex runs critical sections one at a time, in order, and survives a throw', async () => {
    const m = new Mutex();
    const log: string[] = [];
    const step = (name: string, ms: number, fail = false) =>
      m.runExclusive(async () => {
        log.push(`${name}+`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name}-`);
        if (fail) throw new Error(name);
      });
    await Promise.allSettled([step('a', 20), step('b', 1, true), step('c', 5)]);
    expect(log).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  });

  it('owner ids of this process match its LIKE pattern', () => {
    const pattern = new RegExp(`^${processOwnerPattern().replace(/%/g, '.*').replace(/_/g, '.')}$`);
    expect(ownerId('monitor', 3)).toMatch(pattern);
    expect('monitor-otherhost_1-3').not.toMatch(pattern);
  });
});
