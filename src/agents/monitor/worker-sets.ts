import { lockWorkersForMonitor } from '../../db/claim/monitor-set-lock';
import { monitoredWorkersSharingJobs } from '../../db/repo/monitor-reads';
import type { SqlExecutor } from '../../db/sql';

/** Workers checked and written together because they share jobs (OneToMany). */
export interface WorkerSet {
  /** The lowest workerID: only the holder of that worker processes the set. */
  key: number;
  members: number[];
  /** Members locked by us (claimed or taken now); the others are read, never written. */
  writable: number[];
}

export interface SetPlan {
  sets: WorkerSet[];
  /** Workers we hold whose set belongs to another holder: unlocked untouched. */
  deferred: number[];
}

/**
 * Groups claimed workers into worker sets (facts §2.5). As the original, a
 * set is processed only by whoever holds its lowest workerID, so two threads
 * never work on the same OneToMany job; the other members are locked too,
 * where free or stale.
 */
export async function planWorkerSets(sql: SqlExecutor, owner: string, claimed: readonly number[], lockInterval: number, now: Date): Promise<SetPlan> {
  const assoc = await monitoredWorkersSharingJobs(sql, claimed);
  const byKey = new Map<number, Set<number>>();
  for (const id of claimed) {
    const members = assoc.get(id) ?? new Set([id]);
    members.add(id);
    const key = Math.min(...members);
    const acc = byKey.get(key) ?? new Set<number>();
    for (const m of members) acc.add(m);
    byKey.set(key, acc);
  }
  const claimedSet = new Set(claimed);
  const extra = [...new Set([...byKey.values()].flatMap((s) => [...s]))].filter((id) => !claimedSet.has(id));
  const mine = new Set([...claimed, ...(await lockWorkersForMonitor(sql, owner, extra, lockInterval, now))]);
  const plan: SetPlan = { sets: [], deferred: [] };
  for (const [key, memberSet] of byKey) {
    const members = [...memberSet].sort((a, b) => a - b);
    const writable = members.filter((m) => mine.has(m));
    if (mine.has(key)) plan.sets.push({ key, members, writable });
    else plan.deferred.push(...writable);
  }
  return plan;
}
