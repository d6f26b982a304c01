import type { InputFileCopy } from '../../db/repo/stage-in';
import type { FileSpec, FileUpdate } from '../../plugins/types';

/** What one copy of an LFN looks like to the lookup (one job's file). */
interface CopyState {
  status: string;
  path: string | null;
  groupID: string | null;
  groupStatus: string | null;
  groupUpdateTime: Date | null;
}

/** Same LFN = same name, file type and storage endpoint (the original keys by ddmEndpointIn). */
function keyOf(f: { lfn: string; fileType: string; endpoint?: string | null }): string {
  return `${f.fileType}\u0000${f.endpoint ?? ''}\u0000${f.lfn}`;
}

/**
 * The copies of input LFNs held by starting jobs, by LFN and PandaID — the
 * original's `fileStatMap`. Built once per trigger batch from the database and
 * updated in memory as the batch's jobs are decided, so later jobs of the same
 * batch see what earlier ones are about to do.
 */
export class InputFileRegistry {
  private readonly copies = new Map<string, Map<number, CopyState>>();

  constructor(rows: readonly InputFileCopy[]) {
    for (const r of rows) this.set(r, r.PandaID, r);
  }

  set(file: { lfn: string; fileType: string; endpoint?: string | null }, pandaID: number, state: CopyState): void {
    const key = keyOf(file);
    let byJob = this.copies.get(key);
    if (!byJob) this.copies.set(key, (byJob = new Map()));
    byJob.set(pandaID, state);
  }

  /** Copies of the same LFN held by jobs other than `pandaID`. */
  others(file: { lfn: string; fileType: string; endpoint?: string | null }, pandaID: number): CopyState[] {
    const byJob = this.copies.get(keyOf(file));
    if (!byJob) return [];
    return [...byJob].filter(([id]) => id !== pandaID).map(([, s]) => s);
  }
}

export interface LookupDecision {
  /** Status changes (and copied paths/group info) to write before the plugin call. */
  updates: FileUpdate[];
  /** Files left for this job's preparator to stage in (status `to_prepare`). */
  toPrepare: FileSpec[];
  /** Another job is staging in one of the files: release the job and look again later. */
  wait: boolean;
}

/**
 * Per input file of the phase that is not staged yet (facts §2.3 trigger):
 * a `ready` copy of another starting job → reuse it (`ready`, path and group
 * info copied); another job has it `triggered`, or `to_prepare` while this job
 * prepares nothing itself → `preparing` and wait; else `to_prepare`.
 *
 * A file this job decides to prepare is registered as `triggered` (unless the
 * job waits): within one batch the trigger call follows, so a later job with
 * the same LFN waits for it instead of staging it a second time.
 */
export function decideInputFiles(pandaID: number, files: readonly FileSpec[], registry: InputFileRegistry): LookupDecision {
  const open = files.filter((f) => f.status === 'to_prepare' || f.status === 'preparing');
  const hasToPrepare = open.some((f) => f.status === 'to_prepare');
  const updates: FileUpdate[] = [];
  const toPrepare: FileSpec[] = [];
  let wait = false;
  for (const f of open) {
    const others = registry.others(f, pandaID);
    const ready = others.find((o) => o.status === 'ready' && o.path) ?? others.find((o) => o.status === 'ready');
    if (ready) {
      const u: FileUpdate = { fileID: f.fileID, status: 'ready' };
      if (ready.path) u.path = ready.path;
      if (ready.groupID !== null) u.groupID = ready.groupID;
      if (ready.groupStatus !== null) u.groupStatus = ready.groupStatus;
      updates.push(u);
      registry.set(f, pandaID, { ...ready });
      continue;
    }
    const byAnother = others.some((o) => o.status === 'triggered') || (!hasToPrepare && others.some((o) => o.status === 'to_prepare'));
    if (byAnother) {
      wait = true;
      if (f.status !== 'preparing') updates.push({ fileID: f.fileID, status: 'preparing' });
      registry.set(f, pandaID, { status: 'preparing', path: null, groupID: null, groupStatus: null, groupUpdateTime: null });
      continue;
    }
    if (f.status !== 'to_prepare') updates.push({ fileID: f.fileID, status: 'to_prepare' });
    toPrepare.push({ ...f, status: 'to_prepare' });
  }
  // Registered only now: a job that waits triggers nothing, so its own files stay plain `to_prepare`.
  for (const f of toPrepare) {
    registry.set(f, pandaID, { status: wait ? 'to_prepare' : 'triggered', path: null, groupID: null, groupStatus: null, groupUpdateTime: null });
  }
  return { updates, toPrepare, wait };
}
