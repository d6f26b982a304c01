import type { FileUpdate, JobSpec, OutcomeResult } from './types';

/** The outcome of a zip call for one job. */
export interface ZipResult extends OutcomeResult {
  /** For each zip file of the job: `path`, `fsize`, `chksum` of the archive it made. */
  files?: FileUpdate[];
}

/**
 * Bundles a job's outputs into zip files before stage-out (facts §2.6, §5.3,
 * §6.2 `zip_output`).
 *
 * Used when the queue sets `zipPerMB`. The stager agent calls it in its zip
 * pass for jobs with `hasOutFile = 2`: `job.outFiles` holds the `zip_output`
 * files in status `zipping`, each with its members in `associatedFiles`. The
 * queue's `zipper` section names it; without one the stager plugin is asked
 * (a class may implement both `Stager` and `Zipper`).
 *
 * Statuses: `done` — zips made (files go `defined`, or `post_zipping`);
 * `pending` — in progress (async zipping), asked again; `failed` — stage-out fails.
 */
export interface Zipper {
  /** Makes the zip files synchronously. */
  zipOutput(job: JobSpec): Promise<ZipResult>;
  /** Starts zipping without waiting; `pending` until `zipOutput`-equivalent results are ready. */
  asyncZipOutput?(job: JobSpec): Promise<ZipResult>;
  /** Finishing step after an async zip (`[zipper] usePostZipping`), for files in `post_zipping`. */
  postZipOutput?(job: JobSpec): Promise<ZipResult>;
}
