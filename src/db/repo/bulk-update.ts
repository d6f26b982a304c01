import type { Fragment } from '../claim/engine';
import { normaliseInPlace } from '../sql-params';
import type { SqlExecutor, SqlParam } from '../sql';
import { encodeValue, type TableCodec } from './codec';

/**
 * Batched multi-row UPDATE: many rows, each with its own values, in one
 * statement per column set (and per 500 rows). The agents write back a batch
 * of claimed rows at a time; one UPDATE per row cost ~7 statements per worker
 * in the monitor alone (issue 4), most of the DB time of a cycle.
 *
 * - sqlite: `WITH v(k, s0, …, e0, …) AS (SELECT value->>0, … FROM json_each(?))
 *   UPDATE t SET c0 = v.s0, … FROM v WHERE t.pk = v.k AND t.x IS v.e0 AND (where)`.
 *   One JSON parameter instead of hundreds of '?': the SQL text is the same for
 *   every batch size, so the prepared-statement cache hits, and binding is one
 *   string (a Buffer value falls back to a VALUES list of placeholders).
 * - MariaDB: `UPDATE t JOIN (SELECT ? AS k, … UNION ALL SELECT ?, …) v ON t.pk = v.k
 *   SET t.c0 = v.s0, … WHERE t.x <=> v.e0 AND (where)` (mysql2 formats client-side).
 *
 * `expect` columns compare null-safely (null = IS NULL), like `updateRow`.
 * A row whose expectations or `where` fail is left untouched.
 */
export interface BulkRow {
  id: SqlParam;
  /** Columns to write for this row; every row of one call may have a different column set. */
  set: Readonly<Record<string, unknown>>;
  /** Equality checks for this row (null = IS NULL). */
  expect?: Readonly<Record<string, SqlParam>>;
}

export interface BulkUpdateOptions {
  /** Same value for every row; wins over a row's `set` (e.g. the lock cleared on release). */
  constSet?: Readonly<Record<string, SqlParam>>;
  /** Extra condition on the target rows (unqualified columns of the table, e.g. `lockedBy = ?`). */
  where?: Fragment;
  /**
   * Also return the primary keys of the rows written (sqlite: RETURNING;
   * MariaDB: the matching rows are read FOR UPDATE first, so this must run
   * inside a transaction there to be exact).
   */
  returnIds?: boolean;
}

export interface BulkUpdateResult {
  /** Rows matched and written. */
  changes: number;
  /** With `returnIds`: the primary keys written (as the driver returns them). */
  ids?: SqlParam[];
}

/** Rows per statement: bounded parameters (MariaDB) and JSON size. */
const CHUNK = 500;
/** Bound parameters per MariaDB statement, well below its 65535. */
const MAX_PARAMS = 30000;

interface Group {
  setCols: string[];
  expectCols: string[];
  /** Per row: [id, ...set values, ...expect values], encoded (codec) but not yet normalised for binding. */
  rows: SqlParam[][];
}

interface KeySet {
  cols: string[];
  /** The comma-joined columns (the group key part). */
  key: string;
}

const NO_KEYS: KeySet = { cols: [], key: '' };

/**
 * Keys of `o` whose value is defined and not in `skip`. The rows of one
 * write-back are mostly built by one code path with the same keys in the same
 * order, so the previous row's set is checked first and reused: no array and
 * key text per row.
 */
function definedKeys(o: Readonly<Record<string, unknown>>, skip: Readonly<Record<string, unknown>> | undefined, prev: KeySet): KeySet {
  let i = 0;
  let same = true;
  for (const k in o) {
    if (o[k] === undefined || (skip !== undefined && k in skip)) continue;
    if (prev.cols[i] !== k) {
      same = false;
      break;
    }
    i++;
  }
  if (same && i === prev.cols.length) return prev;
  const cols: string[] = [];
  for (const k in o) if (o[k] !== undefined && (skip === undefined || !(k in skip))) cols.push(k);
  return { cols, key: cols.join(',') };
}

/**
 * Groups rows by column set, in the order given. A primary key repeated in the
 * input starts a new round so its writes apply in order, as separate
 * statements (an UPDATE … FROM with two source rows for one target row would
 * apply an arbitrary one). Each row becomes one value array here, the only
 * per-row allocation besides the JSON text (this runs for every row every
 * agent writes back).
 */
function groupRows(c: TableCodec, rows: readonly BulkRow[], constSet: Readonly<Record<string, SqlParam>>): Group[][] {
  const rounds: Array<Map<string, Group>> = [];
  const seen: Array<Set<SqlParam>> = [];
  const hasConst = Object.keys(constSet).length > 0;
  let set = NO_KEYS;
  let expect = NO_KEYS;
  for (const r of rows) {
    set = definedKeys(r.set, constSet, set);
    expect = r.expect ? definedKeys(r.expect, undefined, expect) : NO_KEYS;
    if (set.cols.length === 0 && !hasConst) continue;
    const key = `${set.key}|${expect.key}`;
    let round = 0;
    while (seen[round]?.has(r.id)) round++;
    seen[round] ??= new Set();
    seen[round].add(r.id);
    rounds[round] ??= new Map();
    let g = rounds[round].get(key);
    if (!g) {
      g = { setCols: set.cols, expectCols: expect.cols, rows: [] };
      rounds[round].set(key, g);
    }
    const values = new Array<SqlParam>(1 + set.cols.length + expect.cols.length);
    values[0] = r.id;
    let i = 1;
    for (const k of set.cols) values[i++] = encodeValue(c, k, r.set[k]);
    for (const k of expect.cols) values[i++] = r.expect?.[k] ?? null;
    g.rows.push(values);
  }
  return rounds.map((m) => [...m.values()]);
}

function chunkRows<T>(rows: readonly T[], perRow: number): T[][] {
  const size = Math.max(1, Math.min(CHUNK, Math.floor(MAX_PARAMS / Math.max(1, perRow))));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

interface Statement {
  sql: string;
  params: SqlParam[];
  /** The same rows matched, for reading their ids FOR UPDATE (MariaDB). */
  selectSql?: string;
  selectParams?: SqlParam[];
}

function buildSqlite(c: TableCodec, pk: string, g: Group, rows: Group['rows'], constSet: Readonly<Record<string, SqlParam>>, where: Fragment | undefined, returning: boolean): Statement {
  const t = c.table;
  const vCols = ['k', ...g.setCols.map((_, i) => `s${i}`), ...g.expectCols.map((_, i) => `e${i}`)];
  const hasBuffer = rows.some((r) => r.some((v) => Buffer.isBuffer(v)));
  let source: string;
  let sourceParams: SqlParam[];
  if (hasBuffer) {
    const one = `(${vCols.map(() => '?').join(', ')})`;
    source = `VALUES ${rows.map(() => one).join(', ')}`;
    sourceParams = rows.flat();
  } else {
    source = `SELECT ${vCols.map((_, i) => `value->>${i}`).join(', ')} FROM json_each(?)`;
    // Normalised in place (the arrays are this call's own): Dates as naive-UTC text, booleans 1/0 — what binding them would store.
    for (const r of rows) normaliseInPlace(r);
    sourceParams = [JSON.stringify(rows)];
  }
  const constCols = Object.keys(constSet);
  const sets = [...g.setCols.map((col, i) => `${col} = v.s${i}`), ...constCols.map((col) => `${col} = ?`)];
  const conds = [`${t}.${pk} = v.k`, ...g.expectCols.map((col, i) => `${t}.${col} IS v.e${i}`)];
  if (where) conds.push(`(${where.sql})`);
  return {
    sql: `WITH v(${vCols.join(', ')}) AS (${source}) UPDATE ${t} SET ${sets.join(', ')} FROM v WHERE ${conds.join(' AND ')}${returning ? ` RETURNING ${t}.${pk}` : ''}`,
    params: [...sourceParams, ...constCols.map((col) => constSet[col]), ...(where?.params ?? [])],
  };
}

function buildMariadb(c: TableCodec, pk: string, g: Group, rows: Group['rows'], constSet: Readonly<Record<string, SqlParam>>, where: Fragment | undefined): Statement {
  const t = c.table;
  const names = ['k', ...g.setCols.map((_, i) => `s${i}`), ...g.expectCols.map((_, i) => `e${i}`)];
  const first = `SELECT ${names.map((n) => `? AS ${n}`).join(', ')}`;
  const rest = `SELECT ${names.map(() => '?').join(', ')}`;
  const derived = rows.map((_, i) => (i === 0 ? first : rest)).join(' UNION ALL ');
  const derivedParams = rows.flat();
  const constCols = Object.keys(constSet);
  const sets = [...g.setCols.map((col, i) => `${t}.${col} = v.s${i}`), ...constCols.map((col) => `${t}.${col} = ?`)];
  const conds = g.expectCols.map((col, i) => `${t}.${col} <=> v.e${i}`);
  if (where) conds.push(`(${where.sql})`);
  const whereSql = conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
  const join = `${t} JOIN (${derived}) v ON ${t}.${pk} = v.k`;
  return {
    sql: `UPDATE ${join} SET ${sets.join(', ')}${whereSql}`,
    params: [...derivedParams, ...constCols.map((col) => constSet[col]), ...(where?.params ?? [])],
    selectSql: `SELECT ${t}.${pk} AS k FROM ${join}${whereSql} FOR UPDATE`,
    selectParams: [...derivedParams, ...(where?.params ?? [])],
  };
}

/**
 * Writes `rows` (see {@link BulkRow}) with as few statements as their column
 * sets allow. Run it inside the caller's transaction when the statements must
 * apply together (more than one column set or more than 500 rows).
 */
export async function bulkUpdate(sql: SqlExecutor, c: TableCodec, pk: string, rows: readonly BulkRow[], opts: BulkUpdateOptions = {}): Promise<BulkUpdateResult> {
  const constSet = opts.constSet ?? {};
  const result: BulkUpdateResult = { changes: 0, ...(opts.returnIds ? { ids: [] } : {}) };
  for (const round of groupRows(c, rows, constSet)) {
    for (const g of round) {
      for (const part of chunkRows(g.rows, 1 + g.setCols.length + g.expectCols.length)) {
        if (sql.dialect === 'sqlite') {
          const st = buildSqlite(c, pk, g, part, constSet, opts.where, opts.returnIds === true);
          if (opts.returnIds) {
            const out = await sql.all(st.sql, st.params);
            result.changes += out.length;
            for (const r of out) result.ids?.push(r[pk] as SqlParam);
          } else {
            result.changes += (await sql.run(st.sql, st.params)).changes;
          }
          continue;
        }
        const st = buildMariadb(c, pk, g, part, constSet, opts.where);
        if (opts.returnIds && st.selectSql) {
          const owned = await sql.all(st.selectSql, st.selectParams);
          for (const r of owned) result.ids?.push(r.k as SqlParam);
          if (owned.length === 0) continue;
        }
        result.changes += (await sql.run(st.sql, st.params)).changes;
      }
    }
  }
  return result;
}
