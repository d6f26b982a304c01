/**
 * Hands freshly inserted `pending` workers to the messenger (access points,
 * job specs) and the submitter plugin (facts §2.4 step 7). Never throws: a
 * broken messenger, a throwing plugin or a malformed answer becomes a
 * temporary failure of the workers concerned, so their jobs are retried.
 */
import type { Messenger } from '../../plugins/messenger';
import type { SubmitResult, Submitter } from '../../plugins/submitter';
import type { WorkerSpec } from '../../plugins/types';
import type { MadeWorker } from './make-workers';
import type { WorkerOutcome } from './record-results';

const text = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function allFailed(workers: readonly MadeWorker[], diag: string): WorkerOutcome[] {
  return workers.map((worker) => ({ worker, result: { status: 'failed', temporary: true, diag } }));
}

/** The spec a plugin sees: the row plus the PandaIDs it carries. */
function specOf(w: MadeWorker): WorkerSpec {
  return { ...w.row, pandaIDs: w.jobs.map((j) => j.PandaID) };
}

export async function submitWorkers(queueName: string, messenger: Messenger, submitter: Submitter, workers: readonly MadeWorker[]): Promise<WorkerOutcome[]> {
  if (workers.length === 0) return [];
  const specs = workers.map(specOf);
  try {
    await messenger.setupAccessPoints(specs);
    for (let i = 0; i < workers.length; i++) {
      if (specs[i].hasJob === 1) await messenger.feedJobs(specs[i], workers[i].jobs);
    }
  } catch (err) {
    return allFailed(workers, `queue ${queueName}: messenger failed before submission: ${text(err)}`);
  }
  let results: SubmitResult[];
  try {
    results = await submitter.submitWorkers(specs);
  } catch (err) {
    return allFailed(workers, `queue ${queueName}: submitWorkers threw: ${text(err)}`);
  }
  if (!Array.isArray(results) || results.length !== workers.length) {
    return allFailed(workers, `queue ${queueName}: submitWorkers returned ${Array.isArray(results) ? results.length : typeof results} results for ${workers.length} workers`);
  }
  // A plugin that omits batchID on success still started the worker: it is kept (not turned into missed).
  return workers.map((worker, i) => ({ worker, result: results[i] }));
}
