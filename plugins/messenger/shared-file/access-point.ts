import * as path from 'node:path';
import { expandAccessPoint } from '../../../src/agents/submitter/access-point';
import type { WorkerSpec } from '../../../src/plugins/types';
import { isInside, realpathLoose } from '../../lib/safe-path';

/**
 * Where a worker's files live (facts §9.1):
 *
 *   <base>/                     baseDir, or the fixed part of the accessPoint template
 *     <accessPoint>/            the worker's directory (template expanded by the submitter)
 *       <files of §9.1>         OneToOne, OneToMany, NoJob: every file right here
 *       <PandaID>/              ManyToOne: one sub-dir per job with the per-job files
 *
 * An access point must be strictly inside the base (checked on real paths,
 * so a symlinked access point pointing elsewhere is refused too). A template
 * without placeholder makes the access point equal to the base: allowed for
 * reading and writing, but never wiped or removed, since all workers share it.
 */

/** An access point that failed the checks; carries what the log line needs. */
export class AccessPointError extends Error {
  constructor(readonly workerID: number, readonly accessPoint: string | null, reason: string) {
    super(`workerID=${workerID}: access point ${accessPoint === null ? '(none)' : JSON.stringify(accessPoint)} ${reason}`);
    this.name = 'AccessPointError';
  }
}

export interface WorkerDirs {
  /** Real path of the worker's access point (where its files are read and written). */
  top: string;
  /**
   * The access point entry itself: real parent + its own name. Differs from
   * `top` only when the access point is a symlink; wiping and removing act on
   * it, so a link is removed as a link and never the directory it points to.
   */
  entry: string;
  /** True when the access point is the base itself (shared by all workers). */
  shared: boolean;
}

export class AccessPoints {
  constructor(
    /** Absolute base directory. */
    readonly base: string,
    private readonly template: string | undefined,
    private readonly harvesterID: string,
  ) {}

  /**
   * The worker's access point, lexically: its `accessPoint` column (or the
   * template) with any placeholder left unexpanded filled in here, including
   * the bare `$workerID` form some old configs use.
   */
  lexical(worker: WorkerSpec): string {
    const raw = worker.accessPoint || (this.template ? expandAccessPoint(this.template, worker, this.harvesterID) : '');
    if (!raw) throw new AccessPointError(worker.workerID, null, 'is not set (no accessPoint on the worker nor in the messenger config)');
    const expanded = expandAccessPoint(raw, worker, this.harvesterID).replace(/\$workerID(?![A-Za-z0-9_])/g, String(worker.workerID));
    if (expanded.includes('\0')) throw new AccessPointError(worker.workerID, raw, 'contains a NUL byte');
    if (expanded.includes('$')) throw new AccessPointError(worker.workerID, raw, 'has a placeholder that cannot be expanded');
    // Relative templates are relative to the working directory, like the base (baseDirOf) and the original.
    return path.resolve(expanded);
  }

  /** The checked access point: inside the base lexically and after following symlinks. */
  async resolve(worker: WorkerSpec): Promise<WorkerDirs> {
    const lexical = this.lexical(worker);
    if (!isInside(this.base, lexical)) throw new AccessPointError(worker.workerID, lexical, `is outside the base directory ${this.base}`);
    const [realBase, real, realParent] = await Promise.all([realpathLoose(this.base), realpathLoose(lexical), realpathLoose(path.dirname(lexical))]);
    const entry = lexical === path.resolve(this.base) ? realBase : path.join(realParent, path.basename(lexical));
    for (const p of [real, entry]) {
      if (!isInside(realBase, p)) throw new AccessPointError(worker.workerID, lexical, `leads outside the base directory ${this.base} (real path ${p})`);
    }
    return { top: real, entry, shared: real === realBase || entry === realBase };
  }

}
