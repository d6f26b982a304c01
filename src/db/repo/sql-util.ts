import type { Row, SqlExecutor, SqlParam } from '../sql';
import { idSet } from '../claim/engine';
import { normaliseInPlace } from '../sql-params';
import { decodeRow, encodeValue, positionalDecoder, type TableCodec } from './codec';

/** Most bound parameters per statement: below sqlite's 32766 and MariaDB's 65535. */
export const MAX_IDS = 500;

export function placeholders(n: number): string {
  return new Array<string>(n).fill('?').join(', ');
}

export function chunks<T>(items: readonly T[], size = MAX_IDS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Output name of one select-list item (`col`, `t.col`, `expr AS name`), or undefined when it is not that simple. */
function outputName(item: string): string | undefined {
  const m = /^\s*(?:(?:\w+\.)?(\w+)|.+?\s+AS\s+(\w+))\s*$/is.exec(item);
  return m ? (m[2] ?? m[1]) : undefined;
}

const rowBuilders = new Map<string, (values: readonly unknown[]) => Row>();

/** `v => ({ a: v[0], b: v[1] })` for these names, generated once (one object shape, no keyed stores per row). */
function rowBuilder(names: readonly string[]): (values: readonly unknown[]) => Row {
  const key = names.join(',');
  let b = rowBuilders.get(key);
  if (!b) {
    // Names are plain identifiers (checked by selectRows), quoted with JSON.stringify.
    b = new Function(`'use strict'; return (v) => ({ ${names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ')} });`)() as (values: readonly unknown[]) => Row;
    rowBuilders.set(key, b);
  }
  return b;
}

/**
 * Rows of a SELECT whose output columns are `names`. On sqlite they come
 * packed, as selectDecodedIn's: one `json_group_array(json_array(…))` string
 * over the query as a subquery, parsed once — node-sqlite3 builds every row
 * object column by column through N-API, ~0.5 µs a value, and the agents read
 * thousands of id pairs and status rows a cycle. Values are what the driver
 * gives (INTEGER and TEXT exact, REAL to 15 digits, NULL); a BLOB, which JSON
 * cannot carry, makes it read the plain way. Row order is the subquery's
 * (callers that need an order sort). MariaDB runs the query as it is.
 */
export async function selectRows<T extends Row = Row>(sql: SqlExecutor, query: string, params: readonly SqlParam[], names: readonly string[]): Promise<T[]> {
  if (sql.dialect !== 'sqlite' || names.length === 0) return sql.all<T>(query, params);
  const bad = names.find((n) => !/^\w+$/.test(n));
  // The names go into the SQL text and the generated row builder: plain identifiers only (they come from this codebase, never from input).
  if (bad !== undefined) throw new Error(`selectRows: column name ${JSON.stringify(bad)} is not a plain identifier`);
  let row: { j: string } | undefined;
  try {
    // Qualified (q."name"): a name the subquery does not output is an error, never sqlite's fallback of a double-quoted word to a string.
    [row] = await sql.all<{ j: string }>(`SELECT json_group_array(json_array(${names.map((n) => `q."${n}"`).join(', ')})) AS j FROM (${query}) AS q`, params);
  } catch (err) {
    if (!/JSON cannot hold BLOB/i.test((err as Error).message)) throw err;
    return sql.all<T>(query, params);
  }
  const build = rowBuilder(names);
  const values = JSON.parse(row?.j ?? '[]') as unknown[][];
  const out = new Array<T>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = build(values[i]) as T;
  return out;
}

/** SELECT … WHERE col IN (ids), chunked; `extra` is ANDed in. Packed on sqlite when the select list is plain columns or `… AS name` (selectRows). */
export async function selectIn(
  sql: SqlExecutor, table: string, columns: string, col: string, ids: readonly SqlParam[], extra?: { sql: string; params: SqlParam[] },
): Promise<Row[]> {
  const out: Row[] = [];
  const items = columns.split(',');
  const names = items.map(outputName);
  const packable = names.every((n): n is string => n !== undefined) && new Set(names).size === names.length;
  for (const part of chunks(ids)) {
    // idSet: one JSON parameter on sqlite (same SQL text for every batch size, cached statement, no 500-'?' binding).
    const set = idSet(sql, part);
    const where = `${col} IN ${set.sql}${extra ? ` AND (${extra.sql})` : ''}`;
    const query = `SELECT ${columns} FROM ${table} WHERE ${where}`;
    const params = [...set.params, ...(extra?.params ?? [])];
    const rows = packable ? await selectRows(sql, query, params, names as string[]) : await sql.all(query, params);
    for (const r of rows) out.push(r);
  }
  return out;
}

const decoders = new WeakMap<TableCodec, Map<string, (values: readonly unknown[]) => unknown>>();

function decoderFor<T>(c: TableCodec, columns: readonly string[]): (values: readonly unknown[]) => T {
  let byList = decoders.get(c);
  if (!byList) decoders.set(c, (byList = new Map()));
  const key = columns.join(',');
  let d = byList.get(key);
  if (!d) byList.set(key, (d = positionalDecoder<T>(c, columns)));
  return d as (values: readonly unknown[]) => T;
}

/**
 * SELECT `columns` of `c.table` WHERE col IN (ids), decoded (JSON, dates,
 * ints). On sqlite the rows come packed: one `json_group_array(json_array(…))`
 * string per batch, parsed with JSON.parse, instead of one JS object per row
 * built column by column by the driver — for the wide job/worker/file rows
 * the agents read all day this is about 4x less CPU (bench/e2e.ts). JSON
 * carries TEXT and INTEGER values exactly, a REAL (a fractional number in an
 * INTEGER column, e.g. a cpu time a payload reported) to 15 significant
 * digits; a BLOB it cannot carry, so a batch holding one is read again the
 * plain way. MariaDB reads rows as usual.
 */
export async function selectDecodedIn<T>(
  sql: SqlExecutor, c: TableCodec, columns: readonly string[], col: string, ids: readonly SqlParam[], extra?: { sql: string; params: SqlParam[] },
): Promise<T[]> {
  const plain = async (part: readonly SqlParam[]): Promise<T[]> =>
    (await selectIn(sql, c.table, columns.join(', '), col, part, extra)).map((r) => decodeRow<T>(c, r));
  if (sql.dialect !== 'sqlite') return plain(ids);
  const decode = decoderFor<T>(c, columns);
  const packed = `json_group_array(json_array(${columns.join(', ')})) AS j`;
  const out: T[] = [];
  for (const part of chunks(ids)) {
    const set = idSet(sql, part);
    const where = `${col} IN ${set.sql}${extra ? ` AND (${extra.sql})` : ''}`;
    let row: { j: string } | undefined;
    try {
      [row] = await sql.all<{ j: string }>(`SELECT ${packed} FROM ${c.table} WHERE ${where}`, [...set.params, ...(extra?.params ?? [])]);
    } catch (err) {
      if (!/JSON cannot hold BLOB/i.test((err as Error).message)) throw err;
      out.push(...(await plain(part)));
      continue;
    }
    for (const values of JSON.parse(row?.j ?? '[]') as unknown[][]) out.push(decode(values));
  }
  return out;
}

/**
 * Only `columns` of rows by primary key, decoded, in the order asked (ids not
 * found are left out); the primary key is always read. For agents that read a
 * few columns of many rows every cycle: a job or worker row is ~40 columns, a
 * third of them timestamps that each decode to a Date, and the unused ones
 * would be built as JSON by sqlite, parsed and decoded for nothing.
 */
export async function loadColumnsByKey<T extends Record<string, unknown>>(
  sql: SqlExecutor, c: TableCodec, pk: string, ids: readonly number[], columns: readonly string[],
): Promise<T[]> {
  if (ids.length === 0) return [];
  const cols = columns.includes(pk) ? columns : [pk, ...columns];
  const byId = new Map<unknown, T>();
  for (const row of await selectDecodedIn<T>(sql, c, cols, pk, ids)) byId.set(row[pk], row);
  const out: T[] = [];
  for (const id of ids) {
    const row = byId.get(id);
    if (row !== undefined) out.push(row);
  }
  return out;
}

/**
 * Multi-row INSERT of objects sharing one column set (the union of their keys,
 * missing values NULL), in chunks so the parameter count stays bounded.
 */
export async function insertRows(sql: SqlExecutor, c: TableCodec, rows: ReadonlyArray<Record<string, unknown>>, columns?: readonly string[]): Promise<void> {
  if (rows.length === 0) return;
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => r[k] !== undefined)))];
  const per = Math.max(1, Math.floor(30000 / cols.length / 2));
  for (const part of chunks(rows, Math.min(per, MAX_IDS))) {
    const encoded = part.map((r) => cols.map((k) => encodeValue(c, k, r[k])));
    if (sql.dialect === 'sqlite' && !encoded.some((r) => r.some((v) => Buffer.isBuffer(v)))) {
      // One JSON parameter: the same SQL text for every batch size, so one
      // cached statement instead of a new one (up to 20000 placeholders to
      // parse, and an eviction from the statement cache) per distinct size.
      // `->>` gives JSON numbers as INTEGER/REAL and strings as TEXT, as
      // binding them would; a BLOB, which JSON cannot carry, takes VALUES.
      const picks = cols.map((_, i) => `value->>${i}`).join(', ');
      // The encoded rows are this call's own arrays: normalised in place, as bulkUpdate does, not copied.
      for (const r of encoded) normaliseInPlace(r);
      await sql.run(`INSERT INTO ${c.table} (${cols.join(', ')}) SELECT ${picks} FROM json_each(?)`, [JSON.stringify(encoded)]);
      continue;
    }
    const values = part.map(() => `(${placeholders(cols.length)})`).join(', ');
    await sql.run(`INSERT INTO ${c.table} (${cols.join(', ')}) VALUES ${values}`, encoded.flat());
  }
}

/**
 * UPDATE one row by primary key with the given columns; `expect` adds equality
 * checks (null = IS NULL). Returns rows changed (0 = the row did not match).
 */
export async function updateRow(
  sql: SqlExecutor, c: TableCodec, pk: string, id: SqlParam, set: Record<string, unknown>, expect: Record<string, SqlParam> = {},
): Promise<number> {
  const cols = Object.keys(set).filter((k) => set[k] !== undefined);
  if (cols.length === 0) return 0;
  const conds = [`${pk} = ?`, ...Object.entries(expect).map(([k, v]) => (v === null ? `${k} IS NULL` : `${k} = ?`))];
  const params: SqlParam[] = [...cols.map((k) => encodeValue(c, k, set[k])), id, ...Object.values(expect).filter((v) => v !== null)];
  const res = await sql.run(`UPDATE ${c.table} SET ${cols.map((k) => `${k} = ?`).join(', ')} WHERE ${conds.join(' AND ')}`, params);
  return res.changes;
}
