/**
 * Writes the outcome of one submission round (facts §2.4 step 8) in one
 * transaction: workers `pending` → `submitted` (`ready` with late binding) or
 * `missed`; jw_table rows; jobs released with their new subStatus, retry
 * count or `failed_to_make` — every job write owner-checked by the release.
 * Then both get their propagation triggered so the change reaches upstream.
 */
import { releaseJobsFromSubmitter } from '../../db/claim';
import type { JobRelease } from '../../db/claim/job-lock';
import { addDialogMessage } from '../../db/repo/dialogs';
import type { JobRow } from '../../db/repo/jobs';
import { insertRelations, type JobWorkerRelation } from '../../db/repo/relations';
import { writeWorkerResults, type WorkerResultWrite } from '../../db/repo/submission';
import { triggerJobPropagation, triggerWorkerPropagation } from '../../db/repo/triggers';
import type { SqlExecutor } from '../../db/sql';
import type { SubmitResult } from '../../plugins/submitter';
import type { QueueConfig } from '../../queue-config/types';
import { jobFailedToMake, jobRetry, jobSubmitted, SETUPFAILURE } from './job-writes';
import type { MadeWorker } from './make-workers';

export interface WorkerOutcome {
  worker: MadeWorker;
  result: SubmitResult;
}

export interface RecordArgs {
  sql: SqlExecutor;
  owner: string;
  queue: QueueConfig;
  outcomes: readonly WorkerOutcome[];
  /** Extra job columns on success (OneToMany: nWorkersLimit, maxWorkersInTotal). */
  jobExtra?: JobRelease['set'];
  now?: Date;
}

export interface RecordSummary {
  submitted: number[];
  missed: number[];
  jobsSubmitted: number[];
  jobsRetried: number[];
  jobsFailed: number[];
  /** Jobs no longer ours when written (another thread took them after lockInterval). */
  jobsLost: number[];
  /** Workers no longer `pending` when written (deleted as orphans). */
  workersLost: number[];
}

function workerWrite(o: WorkerOutcome, lateBinding: boolean, now: Date): WorkerResultWrite {
  const r = o.result;
  if (r.status === 'submitted') {
    const logs = r.logFiles ? { ...r.logFiles } : {};
    const attrs = { ...(o.worker.row.workAttributes ?? {}), ...(r.update?.workAttributes ?? {}), ...logs };
    return {
      workerID: o.worker.row.workerID,
      set: {
        ...r.update,
        // Late binding: the pilot is up and waits for its jobs (Stat_Worker "late binding → ready").
        status: lateBinding ? 'ready' : 'submitted',
        batchID: r.batchID ?? null,
        submitTime: now,
        modificationTime: now,
        checkTime: now,
        ...(Object.keys(attrs).length ? { workAttributes: attrs } : {}),
      },
    };
  }
  return {
    workerID: o.worker.row.workerID,
    set: {
      ...r.update,
      status: 'missed',
      errorCode: SETUPFAILURE,
      errorDiag: r.diag.slice(0, 500),
      diagMessage: r.diag.slice(0, 500),
      submitTime: now,
      endTime: now,
      modificationTime: now,
    },
  };
}

export async function recordOutcomes(a: RecordArgs): Promise<RecordSummary> {
  const now = a.now ?? new Date();
  const q = a.queue;
  const late = q.useJobLateBinding;
  const summary: RecordSummary = { submitted: [], missed: [], jobsSubmitted: [], jobsRetried: [], jobsFailed: [], jobsLost: [], workersLost: [] };

  // Per job: how its workers fared (OneToMany shares one job among several workers).
  const perJob = new Map<number, { job: JobRow; ok: number[]; failed: Array<{ workerID: number; temporary: boolean; diag: string }> }>();
  for (const o of a.outcomes) {
    const ok = o.result.status === 'submitted';
    (ok ? summary.submitted : summary.missed).push(o.worker.row.workerID);
    for (const job of o.worker.jobs) {
      const e = perJob.get(job.PandaID) ?? { job, ok: [], failed: [] };
      if (ok) e.ok.push(o.worker.row.workerID);
      else e.failed.push({ workerID: o.worker.row.workerID, temporary: o.result.temporary === true, diag: o.result.diag });
      perJob.set(job.PandaID, e);
    }
  }

  const relations: JobWorkerRelation[] = [];
  const releases: JobRelease[] = [];
  for (const { job, ok, failed } of perJob.values()) {
    if (ok.length > 0) {
      releases.push(jobSubmitted(job, ok.length, late, now, a.jobExtra));
      relations.push(...ok.map((workerID) => ({ PandaID: job.PandaID, workerID })));
      summary.jobsSubmitted.push(job.PandaID);
      continue;
    }
    const attempts = (job.submissionAttempts ?? 0) + 1;
    const permanent = failed.some((f) => !f.temporary);
    if (permanent || attempts >= q.maxSubmissionAttempts) {
      const diag = `worker ${failed.map((f) => f.workerID).join(',')} not submitted (attempt ${attempts}/${q.maxSubmissionAttempts}): ${failed[0].diag}`;
      releases.push(jobFailedToMake(job, attempts, diag, now));
      // The job is reported with the missed worker that ended it.
      relations.push(...failed.map((f) => ({ PandaID: job.PandaID, workerID: f.workerID })));
      summary.jobsFailed.push(job.PandaID);
    } else {
      releases.push(jobRetry(job, attempts, now));
      summary.jobsRetried.push(job.PandaID);
    }
  }

  await a.sql.transaction(async (tx) => {
    summary.workersLost = await writeWorkerResults(tx, a.outcomes.map((o) => workerWrite(o, late, now)));
    const lost = new Set(summary.workersLost);
    await insertRelations(tx, relations.filter((r) => !lost.has(r.workerID)));
    const res = await releaseJobsFromSubmitter(tx, a.owner, releases);
    summary.jobsLost = res.lost;
    for (const o of a.outcomes) {
      if (o.result.status === 'submitted' || lost.has(o.worker.row.workerID)) continue;
      await addDialogMessage(tx, {
        moduleName: 'submitter',
        identifier: `${q.queueName}:${o.worker.row.workerID}`,
        level: 'ERROR',
        message: `queue ${q.queueName}: worker ${o.worker.row.workerID} not submitted${o.result.temporary ? ' (temporary)' : ''}: ${o.result.diag}`,
      }, now);
    }
  });

  const lostJobs = new Set(summary.jobsLost);
  await triggerJobPropagation(a.sql, [...summary.jobsSubmitted, ...summary.jobsFailed].filter((id) => !lostJobs.has(id)), now);
  const lostWorkers = new Set(summary.workersLost);
  await triggerWorkerPropagation(a.sql, [...summary.submitted, ...summary.missed].filter((id) => !lostWorkers.has(id)), now);
  return summary;
}
