import { appendTo } from '../../collections';
import { heldJobStates } from '../../db/claim/job-relock';
import { createZipFile, pendingOutputFiles } from '../../db/repo/stage-out';
import type { SqlExecutor } from '../../db/sql';
import type { FileSpec } from '../../plugins/types';

const MB = 1024 * 1024;

/**
 * Splits a job's `pending` outputs into zips of about `zipPerMB` each
 * (0 = everything in one zip), in fileID order (facts §5.3). While the job
 * still runs only full zips are made and the rest waits for more outputs;
 * once it is `to_transfer` the remainder becomes a last, smaller zip.
 */
export function groupForZips(files: readonly FileSpec[], zipPerMB: number, jobDone: boolean): FileSpec[][] {
  const limit = zipPerMB > 0 ? zipPerMB * MB : Infinity;
  const groups: FileSpec[][] = [];
  let current: FileSpec[] = [];
  let size = 0;
  for (const f of files) {
    current.push(f);
    size += f.fsize ?? 0;
    if (size >= limit) {
      groups.push(current);
      current = [];
      size = 0;
    }
  }
  if (current.length && jobDone) groups.push(current);
  return groups;
}

/**
 * The zip pass's first step: turn the claimed jobs' `pending` outputs (the
 * monitor writes them so when the queue sets zipPerMB) into zip files the
 * zipper then fills. Owner-checked in one transaction, like every stager write.
 */
export async function groupPendingOutputs(sql: SqlExecutor, owner: string, jobs: ReadonlyArray<{ PandaID: number; zipPerMB?: number | null }>, now: Date): Promise<number> {
  if (jobs.length === 0) return 0;
  return sql.transaction(async (tx) => {
    const held = await heldJobStates(tx, 'stager', owner, jobs.map((j) => j.PandaID));
    const pendingByJob = new Map<number, FileSpec[]>();
    // Grouped once (in the read's order): a filter per job was quadratic in the batch.
    for (const f of await pendingOutputFiles(tx, [...held.keys()])) appendTo(pendingByJob, f.PandaID, f);
    let made = 0;
    for (const job of jobs) {
      const state = held.get(job.PandaID);
      const files = pendingByJob.get(job.PandaID);
      if (!state || !files) continue;
      for (const group of groupForZips(files, job.zipPerMB ?? 0, state.subStatus === 'to_transfer')) {
        await createZipFile(tx, group, now);
        made += 1;
      }
    }
    return made;
  });
}
