import { describe, expect, it } from 'vitest';
import type { Sweeper } from '../../src/plugins/sweeper';
import type { WorkerSpec } from '../../src/plugins/types';
import { expectDiag, type MakePlugin, type SuiteOptions } from './common';
import { makeWorkerSpec } from './fixtures';

export interface SweeperSuiteOptions extends SuiteOptions {
  /** Workers that exist on the resource (submitted with the matching submitter), to kill for real. */
  submitWorkers?: (n: number) => Promise<WorkerSpec[]>;
}

/** Contract of {@link Sweeper}. */
export function sweeperConformance(makePlugin: MakePlugin<Sweeper>, opts: SweeperSuiteOptions = {}): void {
  const check = (results: { status: string; diag: string }[], n: number, allowed: string[]) => {
    expect(results).toHaveLength(n);
    for (const r of results) {
      expect(allowed).toContain(r.status);
      expectDiag(r.diag);
      if (r.status === 'failed') expect(r.diag.length).toBeGreaterThan(0);
    }
  };

  describe(opts.name ?? 'sweeper conformance', () => {
    it('returns [] for no workers', async () => {
      const plugin = await makePlugin();
      await expect(plugin.killWorkers([])).resolves.toEqual([]);
      await expect(plugin.sweepWorkers([])).resolves.toEqual([]);
    }, opts.timeoutMs);

    it('kills unknown batchIDs and workers without batchID without throwing, and reports each', async () => {
      const plugin = await makePlugin();
      const ws = [
        makeWorkerSpec({ status: 'submitted', batchID: 'no-such-batch-id-3' }),
        makeWorkerSpec({ status: 'submitted', batchID: null }),
        makeWorkerSpec({ status: 'finished', batchID: 'no-such-batch-id-4' }),
      ];
      check(await plugin.killWorkers(ws), ws.length, ['killed', 'failed']);
      // Without a batchID there is nothing to kill: that is success, not a retry forever.
      expect((await plugin.killWorkers([ws[1]]))[0].status).toBe('killed');
    }, opts.timeoutMs);

    it('kills known workers idempotently and sweeps them', async () => {
      if (!opts.submitWorkers) return;
      const plugin = await makePlugin();
      const ws = await opts.submitWorkers(2);
      check(await plugin.killWorkers(ws), ws.length, ['killed', 'failed']);
      check(await plugin.killWorkers(ws), ws.length, ['killed', 'failed']);
      check(await plugin.sweepWorkers(ws), ws.length, ['swept', 'failed']);
    }, opts.timeoutMs);

    it('sweeps unknown workers without throwing', async () => {
      const plugin = await makePlugin();
      const ws = [makeWorkerSpec({ status: 'finished', batchID: 'no-such-batch-id-5' }), makeWorkerSpec({ status: 'missed' })];
      check(await plugin.sweepWorkers(ws), ws.length, ['swept', 'failed']);
    }, opts.timeoutMs);
  });
}
