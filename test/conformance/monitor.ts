import { describe, expect, it } from 'vitest';
import type { Monitor } from '../../src/plugins/monitor';
import { MONITOR_STATUSES, type WorkerSpec } from '../../src/plugins/types';
import { expectDiag, type MakePlugin, type SuiteOptions } from './common';
import { makeWorkerSpec, snapshot } from './fixtures';

export interface MonitorSuiteOptions extends SuiteOptions {
  /**
   * Workers the resource knows (e.g. submitted with the matching submitter).
   * Without it only the unknown-worker properties are checked.
   */
  submitWorkers?: (n: number) => Promise<WorkerSpec[]>;
}

const ALLOWED = [...MONITOR_STATUSES, 'unknown'];

/** Contract of {@link Monitor}. */
export function monitorConformance(makePlugin: MakePlugin<Monitor>, opts: MonitorSuiteOptions = {}): void {
  describe(opts.name ?? 'monitor conformance', () => {
    it('returns [] for no workers', async () => {
      const plugin = await makePlugin();
      await expect(plugin.checkWorkers([])).resolves.toEqual([]);
    }, opts.timeoutMs);

    it('answers for workers the batch system does not know, without throwing', async () => {
      const plugin = await makePlugin();
      const ws = [
        makeWorkerSpec({ status: 'submitted', batchID: 'no-such-batch-id-1' }),
        makeWorkerSpec({ status: 'running', batchID: null }),
      ];
      const results = await plugin.checkWorkers(ws);
      expect(results).toHaveLength(2);
      for (const r of results) {
        expect(ALLOWED).toContain(r.status);
        expect(r.status, 'pending is not a monitor status').not.toBe('pending');
        expectDiag(r.diag);
      }
    }, opts.timeoutMs);

    it('returns one check per worker, in order, without mutating inputs', async () => {
      if (!opts.submitWorkers) return;
      const plugin = await makePlugin();
      const ws = await opts.submitWorkers(3);
      const unknown = makeWorkerSpec({ status: 'submitted', batchID: 'no-such-batch-id-2' });
      const input = [ws[0], unknown, ...ws.slice(1)];
      const before = snapshot(input);
      const results = await plugin.checkWorkers(input);
      expect(results).toHaveLength(input.length);
      for (const r of results) {
        expect(ALLOWED).toContain(r.status);
        expectDiag(r.diag);
      }
      expect(input).toEqual(before);
    }, opts.timeoutMs);

    it('reportUpdatedWorkers, when implemented, returns worker ids with dates', async () => {
      const plugin = await makePlugin();
      if (!plugin.reportUpdatedWorkers) return;
      const updated = await plugin.reportUpdatedWorkers(3600);
      expect(Array.isArray(updated)).toBe(true);
      for (const u of updated) {
        expect(Number.isInteger(u.workerID)).toBe(true);
        expect(u.updatedAt).toBeInstanceOf(Date);
      }
    }, opts.timeoutMs);
  });
}
