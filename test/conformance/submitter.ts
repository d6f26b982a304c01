import { describe, expect, it } from 'vitest';
import type { Submitter } from '../../src/plugins/submitter';
import type { WorkerSpec } from '../../src/plugins/types';
import { expectDiag, type MakePlugin, type SuiteOptions } from './common';
import { makeWorkerSpec, snapshot } from './fixtures';

export interface SubmitterSuiteOptions extends SuiteOptions {
  /** Workers to submit (default: plain pending workers without access points). */
  makeWorkers?: (n: number) => WorkerSpec[] | Promise<WorkerSpec[]>;
  /** Kill/clean what a test submitted (real batch systems). */
  cleanup?: (submitted: { worker: WorkerSpec; batchID: string }[]) => Promise<void>;
}

/** Contract of {@link Submitter}: run with `submitterConformance(() => new MySubmitter(...))`. */
export function submitterConformance(makePlugin: MakePlugin<Submitter>, opts: SubmitterSuiteOptions = {}): void {
  const workers = async (n: number) => (opts.makeWorkers ? opts.makeWorkers(n) : Array.from({ length: n }, () => makeWorkerSpec()));
  const cleanup = async (ws: WorkerSpec[], results: { status: string; batchID?: string }[]) => {
    const submitted = ws.flatMap((worker, i) => (results[i]?.status === 'submitted' && results[i].batchID ? [{ worker, batchID: results[i].batchID as string }] : []));
    if (opts.cleanup) await opts.cleanup(submitted);
  };

  describe(opts.name ?? 'submitter conformance', () => {
    it('returns [] for no workers', async () => {
      const plugin = await makePlugin();
      await expect(plugin.submitWorkers([])).resolves.toEqual([]);
    }, opts.timeoutMs);

    it('returns one result per worker, in order, with allowed statuses', async () => {
      const plugin = await makePlugin();
      const ws = await workers(3);
      const before = snapshot(ws);
      const results = await plugin.submitWorkers(ws);
      try {
        expect(results).toHaveLength(ws.length);
        for (const r of results) {
          expect(['submitted', 'failed']).toContain(r.status);
          expectDiag(r.diag);
          if (r.status === 'submitted') {
            expect(typeof r.batchID, 'submitted needs a batchID').toBe('string');
            expect((r.batchID as string).length).toBeGreaterThan(0);
          } else {
            expect(r.diag.length, 'a failure must say why').toBeGreaterThan(0);
            if (r.temporary !== undefined) expect(typeof r.temporary).toBe('boolean');
          }
        }
        const ids = results.filter((r) => r.status === 'submitted').map((r) => r.batchID);
        expect(new Set(ids).size, 'batchIDs must be unique').toBe(ids.length);
        expect(ws, 'inputs must not be mutated: return changes in the result').toEqual(before);
      } finally {
        await cleanup(ws, results);
      }
    }, opts.timeoutMs);

    it('submits the same worker list again without reusing batchIDs', async () => {
      const plugin = await makePlugin();
      const a = await workers(2);
      const b = await workers(2);
      const ra = await plugin.submitWorkers(a);
      const rb = await plugin.submitWorkers(b);
      try {
        const ids = [...ra, ...rb].filter((r) => r.status === 'submitted').map((r) => r.batchID);
        expect(new Set(ids).size).toBe(ids.length);
      } finally {
        await cleanup(a, ra);
        await cleanup(b, rb);
      }
    }, opts.timeoutMs);
  });
}
