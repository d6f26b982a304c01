import { describe, expect, it } from 'vitest';
import type { Preparator } from '../../src/plugins/preparator';
import type { JobSpec } from '../../src/plugins/types';
import { expectOutcome, type MakePlugin, type SuiteOptions } from './common';
import { makeJobSpec, snapshot } from './fixtures';

export interface PreparatorSuiteOptions extends SuiteOptions {
  /** A job whose inputs the plugin can really stage (default: fixtures with made-up LFNs). */
  makeJob?: () => JobSpec | Promise<JobSpec>;
  /** How often to poll checkStageInStatus before giving up on `done` (default 50, every 20 ms); 0 = do not wait. */
  maxChecks?: number;
}

/** Contract of {@link Preparator}. */
export function preparatorConformance(makePlugin: MakePlugin<Preparator>, opts: PreparatorSuiteOptions = {}): void {
  const job = async () => (opts.makeJob ? opts.makeJob() : makeJobSpec());

  describe(opts.name ?? 'preparator conformance', () => {
    it('a job without inputs is done at once', async () => {
      const plugin = await makePlugin();
      const j = makeJobSpec({}, 0, 0);
      expect((await plugin.triggerPreparation(j)).status).toBe('done');
      const paths = await plugin.resolveInputPaths(j);
      expectOutcome(paths);
    }, opts.timeoutMs);

    it('trigger → check → resolve follow the contract', async () => {
      const plugin = await makePlugin();
      const j = await job();
      const before = snapshot(j);
      const trig = await plugin.triggerPreparation(j);
      expectOutcome(trig);
      const fileIDs = new Set(j.inFiles.map((f) => f.fileID));
      for (const f of trig.files ?? []) expect(fileIDs, 'file updates only for the job\'s inputs').toContain(f.fileID);
      if (trig.status !== 'done') return;
      let check = await plugin.checkStageInStatus(j);
      for (let i = 0; check.status === 'pending' && i < (opts.maxChecks ?? 50); i++) {
        await new Promise((r) => setTimeout(r, 20));
        check = await plugin.checkStageInStatus(j);
      }
      expectOutcome(check);
      for (const f of check.files ?? []) expect(fileIDs).toContain(f.fileID);
      if (check.status === 'done') {
        const res = await plugin.resolveInputPaths(j);
        expectOutcome(res, ['done', 'failed']);
        if (res.status === 'done') {
          for (const f of j.inFiles) {
            expect(typeof res.paths?.[f.lfn], `path for ${f.lfn}`).toBe('string');
          }
        }
      }
      expect(j).toEqual(before);
    }, opts.timeoutMs);
  });
}
