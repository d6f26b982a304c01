import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../../src/plugins/types';
import type { Zipper } from '../../src/plugins/zipper';
import { expectOutcome, type MakePlugin, type SuiteOptions } from './common';
import { makeFileSpec, makeJobSpec, snapshot } from './fixtures';

export interface ZipperSuiteOptions extends SuiteOptions {
  /** A job with zip_output files whose members exist (default: fixtures with made-up members). */
  makeJob?: () => JobSpec | Promise<JobSpec>;
}

/** A job with one zip file of two members. */
export function makeZipJob(): JobSpec {
  const j = makeJobSpec({ subStatus: 'to_transfer' }, 0, 0);
  const members = [1, 2].map(() => makeFileSpec({ PandaID: j.PandaID, status: 'zipped', fsize: 100 }));
  const zip = makeFileSpec({ PandaID: j.PandaID, fileType: 'zip_output', status: 'zipping', isZip: 1, lfn: `panda.${j.PandaID}.zip`, associatedFiles: members });
  return { ...j, outFiles: [zip] };
}

/** Contract of {@link Zipper}. */
export function zipperConformance(makePlugin: MakePlugin<Zipper>, opts: ZipperSuiteOptions = {}): void {
  describe(opts.name ?? 'zipper conformance', () => {
    it('zipOutput reports path, size and checksum of each archive it made', async () => {
      const plugin = await makePlugin();
      const j = opts.makeJob ? await opts.makeJob() : makeZipJob();
      const before = snapshot(j);
      const r = await plugin.zipOutput(j);
      expectOutcome(r);
      const zipIDs = new Set(j.outFiles.map((f) => f.fileID));
      for (const f of r.files ?? []) expect(zipIDs).toContain(f.fileID);
      if (r.status === 'done') {
        for (const zip of j.outFiles) {
          const u = (r.files ?? []).find((f) => f.fileID === zip.fileID);
          expect(u, `update for zip ${zip.lfn}`).toBeDefined();
          expect(typeof u?.path).toBe('string');
          expect(u?.fsize).toBeGreaterThanOrEqual(0);
          expect(u?.chksum).toMatch(/^(ad|md):[0-9a-f]+$/);
        }
      }
      expect(j).toEqual(before);
    }, opts.timeoutMs);

    it('optional async and post-zip calls follow the outcome contract', async () => {
      const plugin = await makePlugin();
      const j = opts.makeJob ? await opts.makeJob() : makeZipJob();
      if (plugin.asyncZipOutput) expectOutcome(await plugin.asyncZipOutput(j));
      if (plugin.postZipOutput) expectOutcome(await plugin.postZipOutput(j));
    }, opts.timeoutMs);
  });
}
