import type { StageOutPass } from '../../db/claim/jobs-to-stage-out';
import type { JobRow } from '../../db/repo/jobs';
import type { FileSpec, FileStatus, FileUpdate, OutcomeResult } from '../../plugins/types';
import type { AgentContext } from '../agent';
import { stagerForJob, zipperForJob, type Lookup } from './plugins';
import type { StagerSettings } from './settings';

/** A plugin call of a pass: its outcome and per-file changes. */
export interface PassResult extends OutcomeResult {
  files?: FileUpdate[];
}

/** Bound plugin call for one job (the plugin already resolved). */
export type PassCall = (job: JobRow) => Promise<PassResult>;

/** One of the stager's four passes (facts §2.6 table). */
export interface PassSpec {
  pass: StageOutPass;
  /** Statuses of the output files loaded for the call. */
  fileStatuses: readonly FileStatus[];
  /** Jobs per cycle, look-again interval, files per job (undefined = all). */
  maxJobs: number;
  interval: number;
  maxFiles: number | undefined;
  /** Zip calls may run side by side (`nThreadsForZip`); stage-out calls run one after the other. */
  concurrency: number;
  /** Plugin method name, for logs. */
  method: string;
  /** Resolves the plugin of the job's queue and binds the pass's method. */
  resolve(ctx: AgentContext, job: JobRow): Promise<Lookup<PassCall>>;
  /** Status of each loaded file after a `done` answer (given the plugin's own changes); undefined = unchanged. */
  statusAfterDone(file: FileSpec, pluginStatus: FileStatus | undefined): FileStatus | undefined;
  /** Start of the diag of the pilot error on `failed`. */
  failurePrefix: string;
}

const bind = async <P>(found: Promise<Lookup<P>>, call: (p: P) => PassCall): Promise<Lookup<PassCall>> => {
  const f = await found;
  return f.error === undefined ? { plugin: call(f.plugin) } : { error: f.error };
};

const FINISHED_OR_FAILED = new Set<FileStatus>(['finished', 'failed']);

/** The passes in the order a cycle runs them (the original: check, trigger, zip, post-zip). */
export function stagerPasses(s: StagerSettings): PassSpec[] {
  const z = s.zip;
  const passes: PassSpec[] = [
    {
      pass: 'check', fileStatuses: ['transferring'], maxJobs: s.maxJobsToCheck, interval: s.checkInterval, maxFiles: s.maxFilesPerJobToCheck,
      concurrency: 1, method: 'checkStageOutStatus', failurePrefix: 'stage-out failed with',
      resolve: (ctx, job) => bind(stagerForJob(ctx, job), (p) => (j) => p.checkStageOutStatus(j)),
      // Only files the plugin reports as ended change; the rest stay transferring.
      statusAfterDone: () => undefined,
    },
    {
      pass: 'trigger', fileStatuses: ['defined'], maxJobs: s.maxJobsToTrigger, interval: s.triggerInterval, maxFiles: s.maxFilesPerJobToTrigger,
      concurrency: 1, method: 'triggerStageOut', failurePrefix: 'stage-out failed with',
      resolve: (ctx, job) => bind(stagerForJob(ctx, job), (p) => (j) => p.triggerStageOut(j)),
      statusAfterDone: (_f, st) => (st !== undefined && FINISHED_OR_FAILED.has(st) ? undefined : 'transferring'),
    },
    {
      pass: 'zip', fileStatuses: ['zipping'], maxJobs: z.maxJobsToZip, interval: z.zipInterval, maxFiles: z.maxFilesPerJobToZip,
      concurrency: z.nThreadsForZip, method: z.usePostZipping ? 'asyncZipOutput' : 'zipOutput', failurePrefix: 'zip-output failed with',
      resolve: (ctx, job) => bind(zipperForJob(ctx, job), (p) => (j) => (z.usePostZipping && p.asyncZipOutput ? p.asyncZipOutput(j) : p.zipOutput(j))),
      statusAfterDone: () => (z.usePostZipping ? 'post_zipping' : 'defined'),
    },
  ];
  if (z.usePostZipping) {
    passes.push({
      pass: 'postZip', fileStatuses: ['post_zipping'], maxJobs: z.maxJobsToZip, interval: z.zipInterval, maxFiles: z.maxFilesPerJobToZip,
      concurrency: z.nThreadsForZip, method: 'postZipOutput', failurePrefix: 'zip-output failed with',
      // A zipper without a post-zip step has nothing to finish: the files move on.
      resolve: (ctx, job) => bind(zipperForJob(ctx, job), (p) => (j) => (p.postZipOutput ? p.postZipOutput(j) : Promise.resolve({ status: 'done', diag: 'no post-zip step' }))),
      statusAfterDone: () => 'defined',
    });
  }
  return passes;
}
