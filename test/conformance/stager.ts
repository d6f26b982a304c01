import { describe, expect, it } from 'vitest';
import type { Stager } from '../../src/plugins/stager';
import type { JobSpec } from '../../src/plugins/types';
import { expectOutcome, type MakePlugin, type SuiteOptions } from './common';
import { makeJobSpec, snapshot } from './fixtures';

export interface StagerSuiteOptions extends SuiteOptions {
  /** A job whose outputs exist on the resource (default: fixtures with made-up files). */
  makeJob?: () => JobSpec | Promise<JobSpec>;
  /** Polls of checkStageOutStatus before giving up (default 50, every 20 ms). */
  maxChecks?: number;
}

/** Contract of {@link Stager}. */
export function stagerConformance(makePlugin: MakePlugin<Stager>, opts: StagerSuiteOptions = {}): void {
  describe(opts.name ?? 'stager conformance', () => {
    it('a job without outputs is done at once', async () => {
      const plugin = await makePlugin();
      const r = await plugin.triggerStageOut(makeJobSpec({}, 0, 0));
      expect(r.status).toBe('done');
      expect(r.files ?? []).toEqual([]);
    }, opts.timeoutMs);

    it('trigger then check until every file is finished or failed', async () => {
      const plugin = await makePlugin();
      const j = opts.makeJob ? await opts.makeJob() : makeJobSpec({ subStatus: 'to_transfer' }, 0, 3);
      const before = snapshot(j);
      const fileIDs = new Set(j.outFiles.map((f) => f.fileID));
      const trig = await plugin.triggerStageOut(j);
      expectOutcome(trig);
      for (const f of trig.files ?? []) expect(fileIDs).toContain(f.fileID);
      if (trig.status !== 'done') return;
      const ended = new Map<number, string>();
      let check = await plugin.checkStageOutStatus(j);
      for (let i = 0; ; i++) {
        expectOutcome(check);
        for (const f of check.files ?? []) {
          expect(fileIDs, 'file updates only for the job\'s outputs').toContain(f.fileID);
          if (f.status) {
            expect(['finished', 'failed', 'transferring']).toContain(f.status);
            ended.set(f.fileID, f.status);
          }
        }
        if (check.status !== 'pending' || i >= (opts.maxChecks ?? 50)) break;
        await new Promise((r) => setTimeout(r, 20));
        check = await plugin.checkStageOutStatus({ ...j, outFiles: j.outFiles.filter((f) => !ended.has(f.fileID)) });
      }
      if (check.status === 'done') {
        expect([...fileIDs].every((id) => ended.get(id) === 'finished' || ended.get(id) === 'failed'),
          'done means every file was reported finished or failed').toBe(true);
      }
      expect(j).toEqual(before);
    }, opts.timeoutMs);
  });
}
