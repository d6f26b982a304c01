import { fromSqlDateTime, secondsBefore } from '../dates';
import { noIndex, type Dialect, type Row, type SqlParam } from '../sql';
import { fragment, type Fragment } from './engine';

/** Inputs every owner-based claim takes. */
export interface OwnerClaimInput {
  /** Lock owner id, from `ownerId(agent, thread)`. */
  owner: string;
  /** Maximum rows to claim (the agent's maxXYZ). */
  limit: number;
  /** Seconds after which a lock is considered abandoned (owner died or is too slow). */
  lockInterval: number;
  /** Wall clock for this claim (tests pass one); default now. */
  now?: Date;
}

/** What a claim returns: the rows (as updated) and the owner/time written to them. */
export interface Claim<T> {
  owner: string | null;
  /** The time written into the channel's time column; ownerless releases compare against it. */
  claimedAt: Date;
  rows: T[];
}

/**
 * The generic claim predicate of facts §3.1 for a channel (time T, owner L):
 * T IS NULL, or stale (L set, T older than lockInterval), or free and due
 * (L NULL, T older than the agent's interval).
 */
export function freeOrStale(timeCol: string, lockCol: string, now: Date, dueInterval: number, lockInterval: number): Fragment {
  return fragment(
    `${timeCol} IS NULL OR (${lockCol} IS NOT NULL AND ${timeCol} < ?) OR (${lockCol} IS NULL AND ${timeCol} < ?)`,
    secondsBefore(now, lockInterval),
    secondsBefore(now, dueInterval),
  );
}

/** `computingSite IN (…)` as a row filter that never chooses the index (see noIndex). */
export function siteFilter(dialect: Dialect, sites: readonly string[]): Fragment {
  return inList(noIndex(dialect, 'computingSite'), sites);
}

/** `col IN (?, …)` for a non-empty constant list. */
export function inList(col: string, values: readonly SqlParam[]): Fragment {
  if (values.length === 0) throw new Error(`inList(${col}): empty list`);
  return { sql: `${col} IN (${values.map(() => '?').join(', ')})`, params: values };
}

export function and(...parts: Array<Fragment | undefined | false>): Fragment {
  const ps = parts.filter((p): p is Fragment => Boolean(p));
  if (ps.length === 0) return fragment('1 = 1');
  return { sql: ps.map((p) => `(${p.sql})`).join(' AND '), params: ps.flatMap((p) => [...p.params]) };
}

export function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw new Error(`expected a number, got ${JSON.stringify(v)}`);
  return n;
}

export function reqNum(v: unknown, what: string): number {
  const n = num(v);
  if (n === null) throw new Error(`${what}: unexpected NULL`);
  return n;
}

export function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

export const date = fromSqlDateTime;

/** The final worker statuses (facts §5.2): the monitor never overwrites these. */
export const FINAL_WORKER_STATUSES = ['finished', 'failed', 'cancelled', 'missed'] as const;

/*
 * Claims return the key and the queue, not the row: on sqlite each RETURNING
 * column costs ~0.15 ms per 500 rows (node-sqlite3 object creation), and 12
 * columns doubled the claim time. Agents load the full rows they got anyway
 * (jobParams, files, workAttributes, ...).
 */

/** Job columns returned by job claims. */
export const JOB_SUMMARY = ['PandaID', 'computingSite'] as const;

export interface JobSummary {
  PandaID: number;
  /** The queue: which plugins handle the job. */
  computingSite: string | null;
}

export function toJobSummary(r: Row): JobSummary {
  return { PandaID: reqNum(r.PandaID, 'job_table.PandaID'), computingSite: str(r.computingSite) };
}

/** Worker columns returned by worker claims. */
export const WORKER_SUMMARY = ['workerID', 'computingSite'] as const;

export interface WorkerSummary {
  workerID: number;
  computingSite: string | null;
}

export function toWorkerSummary(r: Row): WorkerSummary {
  return { workerID: reqNum(r.workerID, 'work_table.workerID'), computingSite: str(r.computingSite) };
}
