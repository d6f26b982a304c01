import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Messenger } from '../../src/plugins/messenger';
import { expectOutcome, type MakePlugin, type SuiteOptions } from './common';
import { makeJobSpec, makeWorkerSpec } from './fixtures';

export type MessengerSuiteOptions = SuiteOptions;

const isPerJob = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Contract of {@link Messenger}: a fresh worker with an access point under a temp dir. */
export function messengerConformance(makePlugin: MakePlugin<Messenger>, opts: MessengerSuiteOptions = {}): void {
  const freshWorker = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-msgr-conf-'));
    return makeWorkerSpec({ accessPoint: path.join(dir, 'ap'), status: 'submitted' });
  };

  describe(opts.name ?? 'messenger conformance', () => {
    it('setupAccessPoints accepts [] and new workers', async () => {
      const plugin = await makePlugin();
      await plugin.setupAccessPoints([]);
      await plugin.setupAccessPoints([freshWorker(), freshWorker()]);
    }, opts.timeoutMs);

    it('a fresh worker reports nothing: no job request, no outputs, no events, no kill, alive', async () => {
      const plugin = await makePlugin();
      const w = freshWorker();
      await plugin.setupAccessPoints([w]);
      const n = await plugin.jobRequested(w);
      expect(Number.isInteger(n) && n >= 0, `jobRequested must be a non-negative integer, got ${n}`).toBe(true);
      expect(n).toBe(0);
      expect(isPerJob(await plugin.getWorkAttributes(w))).toBe(true);
      expect(await plugin.getFilesToStageOut(w)).toEqual({});
      expect(await plugin.eventsRequested(w)).toEqual({});
      expect(await plugin.eventsToUpdate(w)).toEqual({});
      expect(await plugin.killRequested(w)).toBe(false);
      expect(await plugin.isAlive(w, 60)).toBe(true);
    }, opts.timeoutMs);

    it('feedJobs then getPandaIDs / outputs / acknowledge keep their shapes', async () => {
      const plugin = await makePlugin();
      const w = freshWorker();
      await plugin.setupAccessPoints([w]);
      const job = makeJobSpec();
      await plugin.feedJobs(w, [job]);
      const ids = await plugin.getPandaIDs(w);
      expect(Array.isArray(ids)).toBe(true);
      for (const id of ids) expect(Number.isInteger(id)).toBe(true);
      const outs = await plugin.getFilesToStageOut({ ...w, status: 'finished' });
      expect(isPerJob(outs)).toBe(true);
      for (const list of Object.values(outs)) {
        for (const f of list) {
          expect(typeof f.lfn).toBe('string');
          expect(typeof f.path).toBe('string');
        }
      }
      await plugin.acknowledgeEventsFiles([w]);
      await plugin.acknowledgeEventsFiles([]);
      expect(await plugin.getFilesToStageOut({ ...w, status: 'finished' }), 'acknowledged files are not reported again').toEqual({});
    }, opts.timeoutMs);

    it('postProcessing and cleanUp follow the outcome contract, also for unknown workers', async () => {
      const plugin = await makePlugin();
      const w = freshWorker();
      await plugin.setupAccessPoints([w]);
      expectOutcome(await plugin.postProcessing({ ...w, status: 'finished' }, [], 'OneToOne'));
      expectOutcome(await plugin.cleanUp(w));
      const unknown = makeWorkerSpec({ accessPoint: path.join(os.tmpdir(), 'harvester-no-such-dir', String(Date.now())) });
      expectOutcome(await plugin.cleanUp(unknown));
    }, opts.timeoutMs);
  });
}
