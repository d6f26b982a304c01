/**
 * Which workers a KILL_WORKERS command means (facts §2.8): params is a query
 * `{status, computingSite, computingElement, submissionHost}`, each a list of
 * values or `ALL`. A constraint that is missing or empty selects nothing: a
 * malformed command must never kill a whole site.
 */
import type { SqlExecutor, SqlParam } from '../../db/sql';
import type { Json } from '../../plugins/types';

const KEYS = ['status', 'computingSite', 'computingElement', 'submissionHost'] as const;
const FINAL = ['finished', 'failed', 'cancelled', 'missed'];

type Constraint = { all: true } | { all: false; values: string[] };

function constraintOf(v: Json | undefined): Constraint | undefined {
  if (v === 'ALL' || (Array.isArray(v) && v.includes('ALL'))) return { all: true };
  const values = (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []).filter((x): x is string => typeof x === 'string' && x !== '');
  return values.length ? { all: false, values } : undefined;
}

/** workerIDs of live workers matching the query; [] when any constraint is missing or empty. */
export async function workersMatchingKillQuery(sql: SqlExecutor, params: Json): Promise<number[]> {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return [];
  const conds: string[] = [`status NOT IN (${FINAL.map(() => '?').join(', ')})`];
  const args: SqlParam[] = [...FINAL];
  for (const key of KEYS) {
    const c = constraintOf(params[key]);
    if (!c) return [];
    if (c.all) continue;
    conds.push(`${key} IN (${c.values.map(() => '?').join(', ')})`);
    args.push(...c.values);
  }
  const rows = await sql.all<{ workerID: number }>(`SELECT workerID FROM work_table WHERE ${conds.join(' AND ')}`, args);
  return rows.map((r) => Number(r.workerID));
}

/** SYNC_WORKERS_KILL params: a list of workerIDs (numbers or numeric strings). */
export function workerIDsOf(params: Json): number[] {
  const list = Array.isArray(params) ? params : typeof params === 'object' && params !== null && Array.isArray(params.workerIDs) ? params.workerIDs : [];
  return list.map((v) => Number(v)).filter((n) => Number.isInteger(n) && n > 0);
}
