import { ownedJobs } from '../../db/claim/job-relock';
import { releaseJobsFromPreparator } from '../../db/claim/jobs-to-prepare';
import type { JobColumn } from '../../db/columns';
import { updateFiles } from '../../db/repo/files';
import type { SqlExecutor, SqlParam } from '../../db/sql';
import type { FileUpdate } from '../../plugins/types';

/** What the preparator writes for one job: job columns (beside the lock) and file changes. */
export interface PreparatorWrite {
  pandaID: number;
  set?: Partial<Record<JobColumn, SqlParam>>;
  files?: readonly FileUpdate[];
}

export interface WriteOutcome {
  /** Jobs written (and released, for a release). */
  written: number[];
  /** Jobs no longer ours (lock taken over, or subStatus changed): nothing was written to them. */
  lost: number[];
}

function fileRows(writes: readonly PreparatorWrite[], owned: ReadonlySet<number>, now: Date) {
  return writes
    .filter((w) => owned.has(w.pandaID))
    .flatMap((w) => (w.files ?? []).map(({ fileID, ...set }) => ({ fileID, set: { ...set, modificationTime: now } })));
}

/**
 * File changes of jobs we still hold, without releasing them (the trigger
 * phase's lookup results, written before the plugin call so other threads
 * see which job stages which LFN). One transaction; jobs lost are skipped.
 */
export async function writeFilesOfHeldJobs(sql: SqlExecutor, owner: string, subStatus: string, writes: readonly PreparatorWrite[], now: Date): Promise<WriteOutcome> {
  const ids = writes.map((w) => w.pandaID);
  return sql.transaction(async (tx) => {
    const owned = new Set(await ownedJobs(tx, 'preparator', owner, ids, subStatus));
    await updateFiles(tx, fileRows(writes, owned, now));
    return { written: ids.filter((id) => owned.has(id)), lost: ids.filter((id) => !owned.has(id)) };
  });
}

/**
 * Writes each job's results and releases it (`lockedBy = NULL`), only where
 * `lockedBy` is still this owner and the subStatus is still the one claimed
 * (the original's release criteria). One transaction for the batch: the
 * ownership is read first (rows locked on MariaDB, the write lock held on
 * sqlite), so the release below cannot half-succeed, and file changes of a
 * lost job are never written.
 */
export async function releaseWithResults(sql: SqlExecutor, owner: string, subStatus: string, writes: readonly PreparatorWrite[], now: Date): Promise<WriteOutcome> {
  if (writes.length === 0) return { written: [], lost: [] };
  const ids = writes.map((w) => w.pandaID);
  return sql.transaction(async (tx) => {
    const owned = new Set(await ownedJobs(tx, 'preparator', owner, ids, subStatus));
    const rows = writes
      .filter((w) => owned.has(w.pandaID))
      .map((w) => ({ id: w.pandaID, ...(w.set ? { set: w.set } : {}), expect: { subStatus } }));
    const res = await releaseJobsFromPreparator(tx, owner, rows);
    const released = new Set(res.released);
    await updateFiles(tx, fileRows(writes, released, now));
    return { written: ids.filter((id) => released.has(id)), lost: ids.filter((id) => !released.has(id)) };
  });
}
