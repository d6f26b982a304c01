import { TABLE_COLUMNS } from '../columns';
import { placeholders, type Row, type SqlExecutor, type SqlParam } from '../sql';
import type { TableName } from '../tables';
import { bulkUpdate, type BulkRow } from '../repo/bulk-update';
import { codec, type TableCodec } from '../repo/codec';
import { normaliseParams } from '../sql-params';

/** A piece of SQL with its positional parameters. */
export interface Fragment {
  sql: string;
  params: readonly SqlParam[];
}

export function fragment(sql: string, ...params: SqlParam[]): Fragment {
  return { sql, params };
}

function checkColumns(table: TableName, cols: Iterable<string>): void {
  const known = TABLE_COLUMNS[table];
  for (const c of cols) {
    if (!known?.includes(c)) throw new Error(`${table}: unknown column ${JSON.stringify(c)}`);
  }
}

/**
 * `(…)` for an `IN` over ids. sqlite: one JSON parameter through json_each
 * (binding and parsing 500 '?' costs ~30 % of a 500-row UPDATE); MariaDB
 * (mysql2 formats client-side): plain placeholders.
 */
export function idSet(sql: SqlExecutor, ids: readonly SqlParam[]): Fragment {
  if (ids.length === 0) throw new Error('idSet: empty id list');
  if (sql.dialect === 'sqlite') return { sql: '(SELECT value FROM json_each(?))', params: [JSON.stringify(ids)] };
  return { sql: `(${placeholders(ids.length)})`, params: ids };
}

export interface ClaimSpec {
  table: TableName;
  pk: string;
  /** Columns to return for each claimed row (after the update). */
  columns: readonly string[];
  /** Which rows are candidates at all (status, queue, ...). */
  where: Fragment;
  /** Free-or-stale test; checked when choosing AND again when updating. */
  claimable: Fragment;
  /** What the claim writes (owner, time). */
  set: Readonly<Record<string, SqlParam>>;
  orderBy: string;
  limit: number;
}

/**
 * Claims up to `limit` rows in one atomic step and returns them as updated.
 * - sqlite: one BEGIN IMMEDIATE transaction (after an empty claim of the
 *   same SQL, only once a plain read has seen a candidate: see idleClaims):
 *   the candidates' columns read as one row of JSON arrays, then one
 *   `UPDATE … WHERE pk IN (json_each(keys))
 *   AND <claimable>` (see claimSqliteAggregated; ~20 % faster than the single
 *   `UPDATE … RETURNING`, whose cost was node-sqlite3's per-row objects).
 * - MariaDB: one transaction: `SELECT … FOR UPDATE SKIP LOCKED` (concurrent
 *   claimers skip each other's rows instead of waiting or deadlocking) and one
 *   `UPDATE … WHERE pk IN (…)`.
 */
export async function claimRows<T extends Row = Row>(sql: SqlExecutor, spec: ClaimSpec): Promise<T[]> {
  if (spec.limit <= 0) return [];
  const setCols = Object.keys(spec.set);
  checkColumns(spec.table, [spec.pk, ...spec.columns, ...setCols]);
  const setSql = setCols.map((c) => `${c} = ?`).join(', ');
  const setParams = setCols.map((c) => spec.set[c]);
  const cols = [spec.pk, ...spec.columns.filter((c) => c !== spec.pk)];
  const { table, pk, where, claimable } = spec;

  if (sql.dialect === 'sqlite') {
    try {
      return await claimSqliteAggregated<T>(sql, spec, cols, setSql, setParams);
    } catch (err) {
      if (!(err instanceof BlobInResult)) throw err;
    }
    // A BLOB among the returned values (JSON cannot carry it): one statement
    // that returns rows the usual way. It holds the write lock from the
    // candidate scan to the end, so no other process can claim a row in between.
    return sql.all<T>(
      `UPDATE ${table} SET ${setSql}
        WHERE ${pk} IN (SELECT ${pk} FROM ${table} WHERE (${where.sql}) AND (${claimable.sql}) ORDER BY ${spec.orderBy} LIMIT ?)
          AND (${claimable.sql})
        RETURNING ${cols.join(', ')}`,
      [...setParams, ...where.params, ...claimable.params, spec.limit, ...claimable.params],
    );
  }

  return sql.transaction(async (tx) => {
    const rows = await tx.all<T>(
      `SELECT ${cols.join(', ')} FROM ${table} WHERE (${where.sql}) AND (${claimable.sql})
        ORDER BY ${spec.orderBy} LIMIT ? FOR UPDATE SKIP LOCKED`,
      [...where.params, ...claimable.params, spec.limit],
    );
    if (rows.length === 0) return rows;
    const ids = rows.map((r) => r[pk] as SqlParam);
    const res = await tx.run(
      `UPDATE ${table} SET ${setSql} WHERE ${pk} IN (${placeholders(ids.length)}) AND (${claimable.sql})`,
      [...setParams, ...ids, ...claimable.params],
    );
    if (res.changes !== rows.length) {
      // Cannot happen while we hold the row locks; if it does, roll back rather than report rows we may not own.
      throw new Error(`${table}: claim locked ${rows.length} rows but updated ${res.changes} (ids ${ids.slice(0, 20).join(',')}…)`);
    }
    return rows.map((r) => ({ ...r, ...spec.set }) as T);
  });
}

/**
 * Claim SQL whose last run found nothing. An agent with nothing to do claims
 * every cycle; for those, claimSqliteAggregated first asks with one
 * autocommit read whether any row is claimable at all, and only then opens
 * the BEGIN IMMEDIATE transaction: one round trip instead of three, and an
 * idle claimer no longer takes the write lock that every other process's
 * writers wait for. A row that becomes claimable just after the probe is
 * claimed next cycle, as if the cycle had run a moment earlier; the claim
 * itself stays one transaction. A claim that found rows skips the probe next
 * time, so a busy agent pays nothing for it.
 */
const idleClaims = new Set<string>();
const MAX_IDLE_CLAIMS = 512;

function noteClaimSize(select: string, n: number): void {
  if (n > 0) {
    idleClaims.delete(select);
    return;
  }
  // Bounded: claim SQL varies only with queue lists, but a leak here would be silent.
  if (idleClaims.size >= MAX_IDLE_CLAIMS) idleClaims.clear();
  idleClaims.add(select);
}

async function anyCandidate(sql: SqlExecutor, spec: ClaimSpec): Promise<boolean> {
  const [row] = await sql.all(
    `SELECT EXISTS (SELECT 1 FROM ${spec.table} WHERE (${spec.where.sql}) AND (${spec.claimable.sql})) AS e`,
    [...spec.where.params, ...spec.claimable.params],
  );
  return Number(row?.e ?? 0) === 1;
}

/** Internal signal: the aggregated claim met a BLOB value; roll back and claim with RETURNING. */
class BlobInResult extends Error {}

/**
 * sqlite claim in one BEGIN IMMEDIATE transaction (the write lock is held from
 * the candidate scan to the commit, so no other process can claim a row in
 * between): a SELECT of the candidates whose columns come back AGGREGATED, one
 * JSON array per column in a single result row, then an UPDATE of exactly
 * those keys (the key array is passed back as is, through json_each).
 *
 * Why not `UPDATE … RETURNING` (one statement): node-sqlite3 builds every
 * returned row as a JS object, field by field, ~0.7 µs per value; for 500 rows
 * of (key, queue) that was ~0.7 ms of a ~1.7 ms claim. One row of two JSON
 * strings plus JSON.parse costs ~0.05 ms; the transaction's BEGIN/COMMIT round
 * trips ~0.03 ms. Measured per 500-row claim: 1.3-1.4 ms against 1.65-1.7 ms.
 *
 * Rows are returned as updated: columns the claim writes carry the written
 * (stored) values.
 */
async function claimSqliteAggregated<T extends Row>(
  sql: SqlExecutor, spec: ClaimSpec, cols: readonly string[], setSql: string, setParams: readonly SqlParam[],
): Promise<T[]> {
  const { table, pk, where, claimable } = spec;
  const agg = cols.map((c, i) => `json_group_array(${c}) AS c${i}`).join(', ');
  const stored = normaliseParams(setParams);
  const written = new Map(Object.keys(spec.set).map((c, i) => [c, stored[i]] as const));
  const select = `SELECT COUNT(*) AS n, ${agg} FROM
          (SELECT ${cols.join(', ')} FROM ${table} WHERE (${where.sql}) AND (${claimable.sql}) ORDER BY ${spec.orderBy} LIMIT ?)`;
  if (idleClaims.has(select) && !(await anyCandidate(sql, spec))) return [];
  return sql.transaction(async (tx) => {
    let head: Row | undefined;
    try {
      [head] = await tx.all(select, [...where.params, ...claimable.params, spec.limit]);
    } catch (err) {
      if (/JSON cannot hold BLOB/i.test((err as Error).message)) throw new BlobInResult();
      throw err;
    }
    const n = Number(head?.n ?? 0);
    noteClaimSize(select, n);
    if (!head || n === 0) return [];
    const res = await tx.run(
      `UPDATE ${table} SET ${setSql} WHERE ${pk} IN (SELECT value FROM json_each(?)) AND (${claimable.sql})`,
      [...setParams, head.c0 as string, ...claimable.params],
    );
    if (res.changes !== n) {
      // Cannot happen while we hold the write lock; roll back rather than report rows we may not own.
      throw new Error(`${table}: claim selected ${n} rows but updated ${res.changes}`);
    }
    const values = cols.map((c, i) => (written.has(c) ? undefined : (JSON.parse(head[`c${i}`] as string) as unknown[])));
    const rows: T[] = new Array<T>(n);
    for (let r = 0; r < n; r++) {
      const row: Row = {};
      for (let i = 0; i < cols.length; i++) {
        const v = values[i];
        row[cols[i]] = (v ? v[r] : written.get(cols[i])) as Row[string];
      }
      rows[r] = row as T;
    }
    return rows;
  });
}

/** One row to release: its id, the result columns to write, and extra equality checks (`null` = IS NULL). */
export interface ReleaseRow<Id, Col extends string> {
  id: Id;
  set?: Partial<Record<Col, SqlParam>>;
  expect?: Partial<Record<Col, SqlParam>>;
}

export interface ReleaseSpec {
  table: TableName;
  pk: string;
  /** Ownership test, e.g. `lockedBy = ?` [me]. Rows failing it are left untouched. */
  owned: Fragment;
  /** Columns the release always writes (lock cleared). Win over a row's `set`. */
  clear: Readonly<Record<string, SqlParam>>;
  /** Extra condition on every row (e.g. status not final). */
  extra?: Fragment;
}

export interface ReleaseResult<Id> {
  /** Rows written. */
  released: Id[];
  /** Rows no longer owned (or failing `expect`): nothing was written to them. */
  lost: Id[];
}

const CHUNK = 500;

/** Internal signal: a fast-path UPDATE matched fewer rows than asked, roll back and take the exact path. */
class SomeRowsLost extends Error {}

/** Codec for release values: they are bound parameters already, nothing to encode. */
const passThrough = (table: string): TableCodec => codec(table, [], [], []);

function keyList(o: object | undefined): string {
  let k = '';
  if (o) for (const c in o) k += `${c},`;
  return k;
}

function sameValues(a: Record<string, SqlParam> | undefined, b: Record<string, SqlParam> | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  for (const k of Object.keys(a)) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (x instanceof Date && y instanceof Date && x.getTime() === y.getTime()) continue;
    if (Buffer.isBuffer(x) && Buffer.isBuffer(y) && x.equals(y)) continue;
    return false;
  }
  return true;
}

/** One statement of a release: one value set for all ids (`IN`), or per-row values (a bulk UPDATE … FROM/JOIN). */
type ReleaseStatement<Id> =
  | { kind: 'in'; set: Record<string, SqlParam>; expect: Record<string, SqlParam>; ids: Id[] }
  | { kind: 'bulk'; rows: BulkRow[]; ids: Id[] };

/**
 * Owner-checked batched release. Rows are grouped by the columns they write
 * and check: a group whose rows all carry the same values is one
 * `UPDATE … WHERE pk IN (…)`; one with per-row values (results of a pass) is
 * one bulk UPDATE with a row of values per id (see bulkUpdate) — before, each
 * distinct value set was its own statement, i.e. one UPDATE per row for the
 * stager. Chunks of 500 ids; all of it in one transaction when there is more
 * than one statement. A row the caller no longer owns is not written at all.
 */
export async function releaseRows<Id extends string | number, Col extends string>(
  sql: SqlExecutor,
  spec: ReleaseSpec,
  rows: ReadonlyArray<ReleaseRow<Id, Col>>,
): Promise<ReleaseResult<Id>> {
  if (rows.length === 0) return { released: [], lost: [] };
  // A repeated id would make the fast path's count check fail for nothing.
  const unique = new Map<Id, ReleaseRow<Id, Col>>();
  for (const r of rows) if (!unique.has(r.id)) unique.set(r.id, r);
  const groups = new Map<string, Array<ReleaseRow<Id, Col>>>();
  for (const r of unique.values()) {
    // Rows with nothing but the lock to clear (the common case) share one group.
    // Keys in insertion order: rows built by one code path share it, and two
    // orders of one column set only cost one more statement, never a wrong write.
    const key = r.set === undefined && r.expect === undefined ? '' : `${keyList(r.set)}|${keyList(r.expect)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const statements: Array<ReleaseStatement<Id>> = [];
  for (const g of groups.values()) {
    const first = g[0];
    const set0 = first.set as Record<string, SqlParam> | undefined;
    const expect0 = first.expect as Record<string, SqlParam> | undefined;
    checkColumns(spec.table, [...Object.keys(set0 ?? {}), ...Object.keys(spec.clear), ...Object.keys(expect0 ?? {})]);
    const uniform = g.every((r) => sameValues(set0, r.set as Record<string, SqlParam> | undefined) && sameValues(expect0, r.expect as Record<string, SqlParam> | undefined));
    for (let i = 0; i < g.length; i += CHUNK) {
      const part = g.slice(i, i + CHUNK);
      const ids = part.map((r) => r.id);
      if (uniform) statements.push({ kind: 'in', set: { ...set0, ...spec.clear }, expect: { ...expect0 }, ids });
      else {
        statements.push({
          kind: 'bulk', ids,
          rows: part.map((r) => ({ id: r.id, set: (r.set ?? {}) as Record<string, SqlParam>, ...(r.expect ? { expect: r.expect as Record<string, SqlParam> } : {}) })),
        });
      }
    }
  }
  const condition = (): Fragment => {
    const conds = [`(${spec.owned.sql})`];
    const params: SqlParam[] = [...spec.owned.params];
    if (spec.extra) {
      conds.push(`(${spec.extra.sql})`);
      params.push(...spec.extra.params);
    }
    return { sql: conds.join(' AND '), params };
  };
  const bulk = (tx: SqlExecutor, st: Extract<ReleaseStatement<Id>, { kind: 'bulk' }>, returnIds: boolean) =>
    bulkUpdate(tx, passThrough(spec.table), spec.pk, st.rows, { constSet: spec.clear, where: condition(), returnIds });

  const buildSql = (st: Extract<ReleaseStatement<Id>, { kind: 'in' }>) => {
    const setCols = Object.keys(st.set);
    const idIn = idSet(sql, st.ids);
    const expectSql = Object.entries(st.expect).map(([c, v]) => (v === null ? `${c} IS NULL` : `${c} = ?`));
    const expectParams = Object.values(st.expect).filter((v) => v !== null);
    const cond = condition();
    const conds = [`${spec.pk} IN ${idIn.sql}`, cond.sql, ...expectSql];
    const condParams: SqlParam[] = [...idIn.params, ...cond.params, ...expectParams];
    return {
      whereSql: conds.join(' AND '),
      condParams,
      setSql: setCols.map((c) => `${c} = ?`).join(', '),
      setParams: setCols.map((c) => st.set[c]),
    };
  };

  let released: Id[] | undefined;
  const only = statements.length === 1 ? statements[0] : undefined;
  if (sql.dialect === 'sqlite' && only?.kind === 'in') {
    // One statement on sqlite is atomic by itself, so no BEGIN/COMMIT round
    // trips. All-or-nothing first: the UPDATE applies only if every row is still
    // ours (the normal case; cheaper than RETURNING, which buffers every row).
    // Otherwise it wrote nothing, and UPDATE … RETURNING writes exactly the rows
    // still ours and names them.
    const q = buildSql(only);
    const all = await sql.run(
      `UPDATE ${spec.table} SET ${q.setSql} WHERE ${q.whereSql} AND (SELECT COUNT(*) FROM ${spec.table} WHERE ${q.whereSql}) = ?`,
      [...q.setParams, ...q.condParams, ...q.condParams, only.ids.length],
    );
    if (all.changes === only.ids.length) released = [...unique.keys()];
    else {
      const out = await sql.all(`UPDATE ${spec.table} SET ${q.setSql} WHERE ${q.whereSql} RETURNING ${spec.pk}`, [...q.setParams, ...q.condParams]);
      released = out.map((r) => r[spec.pk] as Id);
    }
  }
  if (sql.dialect === 'sqlite' && only?.kind === 'bulk') {
    // Likewise atomic alone: RETURNING names exactly the rows still ours, which
    // are the only ones it wrote — no transaction round trips needed.
    released = ((await bulk(sql, only, true)).ids ?? []).map((id) => id as Id);
  }
  // Fast path: plain UPDATEs in one transaction; when every row was still ours
  // (the normal case) the counts prove it and no ids need to be read back.
  if (released === undefined) try {
    released = await sql.transaction(async (tx) => {
      for (const st of statements) {
        if (st.kind === 'bulk') {
          if ((await bulk(tx, st, false)).changes !== st.ids.length) throw new SomeRowsLost();
          continue;
        }
        const q = buildSql(st);
        const res = await tx.run(`UPDATE ${spec.table} SET ${q.setSql} WHERE ${q.whereSql}`, [...q.setParams, ...q.condParams]);
        if (res.changes !== st.ids.length) throw new SomeRowsLost();
      }
      return [...unique.keys()];
    });
  } catch (err) {
    if (!(err instanceof SomeRowsLost)) throw err;
  }
  // Exact path (rolled back above): find out which rows are still ours and write only those.
  released ??= await sql.transaction(async (tx) => {
    const all: Id[] = [];
    for (const st of statements) {
      if (st.kind === 'bulk') {
        all.push(...((await bulk(tx, st, true)).ids ?? []).map((id) => id as Id));
        continue;
      }
      const q = buildSql(st);
      if (tx.dialect === 'sqlite') {
        const out = await tx.all(`UPDATE ${spec.table} SET ${q.setSql} WHERE ${q.whereSql} RETURNING ${spec.pk}`, [...q.setParams, ...q.condParams]);
        all.push(...out.map((r) => r[spec.pk] as Id));
        continue;
      }
      // MariaDB reports only a count: lock the owned rows first to know which ones they are.
      const owned = (await tx.all(`SELECT ${spec.pk} FROM ${spec.table} WHERE ${q.whereSql} FOR UPDATE`, q.condParams)).map((r) => r[spec.pk] as Id);
      if (owned.length > 0) {
        await tx.run(`UPDATE ${spec.table} SET ${q.setSql} WHERE ${spec.pk} IN (${placeholders(owned.length)})`, [...q.setParams, ...owned]);
      }
      all.push(...owned);
    }
    return all;
  });

  const input = [...unique.keys()];
  if (released.length === input.length) return { released: input, lost: [] };
  // Ids come back as numbers or strings depending on the driver; compare as strings.
  const got = new Set(released.map(String));
  return { released: input.filter((id) => got.has(String(id))), lost: input.filter((id) => !got.has(String(id))) };
}
