import { describe, expect, it } from 'vitest';
import type { WorkerMaker } from '../../src/plugins/worker-maker';
import { expectDiag, type MakePlugin, type SuiteOptions } from './common';
import { makeJobSpec, makeQueueInfo } from './fixtures';

export type WorkerMakerSuiteOptions = SuiteOptions;

/** Contract of {@link WorkerMaker}. */
export function workerMakerConformance(makePlugin: MakePlugin<WorkerMaker>, opts: WorkerMakerSuiteOptions = {}): void {
  describe(opts.name ?? 'workerMaker conformance', () => {
    it('makes a worker per job chunk, or says why not', async () => {
      const plugin = await makePlugin();
      const queue = makeQueueInfo();
      for (const jobs of [[makeJobSpec()], [makeJobSpec(), makeJobSpec()], []]) {
        const r = await plugin.makeWorker({ jobs, queue, jobType: 'managed', resourceType: 'SCORE' });
        expectDiag(r.diag);
        expect(['made', 'failed']).toContain(r.status);
        if (r.status === 'made') {
          expect(r.worker).not.toHaveProperty('workerID');
          expect(r.worker.nCore ?? 1).toBeGreaterThanOrEqual(1);
          expect(r.worker.computingSite).toBe(queue.queueName);
        } else {
          expect(r.diag.length).toBeGreaterThan(0);
        }
      }
    }, opts.timeoutMs);

    it('answers the sizing questions with positive integers (or null for the per-cycle cap)', async () => {
      const plugin = await makePlugin();
      for (const n of [await plugin.getNumJobsPerWorker(5), await plugin.getNumWorkersPerJob(5), await plugin.getMaxWorkersPerJobInTotal()]) {
        expect(Number.isInteger(n) && n >= 1, String(n)).toBe(true);
      }
      const ready = await plugin.numReadyResources();
      expect(Number.isInteger(ready) && ready >= 0).toBe(true);
      const perCycle = await plugin.getMaxWorkersPerJobPerCycle();
      expect(perCycle === null || (Number.isInteger(perCycle) && perCycle >= 1)).toBe(true);
    }, opts.timeoutMs);
  });
}
