import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe } from 'vitest';
import { adler32 } from '../../plugins/lib/chance';
import { PluginFactory } from '../../src/plugins';
import type { Preparator } from '../../src/plugins/preparator';
import type { Stager } from '../../src/plugins/stager';
import type { JobSpec } from '../../src/plugins/types';
import { preparatorConformance, stagerConformance } from '../conformance';
import { makeJobSpec } from '../conformance/fixtures';

// Through the factory, as the agents get them: covers resolution of `local_copy` and the attribute schemas.
const factory = new PluginFactory();
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-local-copy-conf-'));
const srcDir = path.join(root, 'src');
const workers = path.join(root, 'workers');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const preparator = (attrs: Record<string, unknown> = {}) => (): Promise<Preparator> => factory.create({
  category: 'preparator', queueName: 'CONF_Q',
  config: { module: 'local_copy', name: 'LocalCopyPreparator', basePath: path.join(root, 'in', '${PandaID}'), sourceDir: srcDir, ...attrs },
});
const stager = (attrs: Record<string, unknown> = {}) => (): Promise<Stager> => factory.create({
  category: 'stager', queueName: 'CONF_Q',
  config: { module: 'local_copy', name: 'LocalCopyStager', dstBase: path.join(root, 'out'), accessPoint: path.join(workers, '${workerID}'), ...attrs },
});

/** A fixture job whose inputs really exist in srcDir, with their true size and adler32. */
function jobWithRealInputs(): JobSpec {
  const job = makeJobSpec();
  for (const f of job.inFiles) {
    const content = randomBytes(1000 + f.fileID);
    fs.mkdirSync(srcDir, { recursive: true });
    fs.writeFileSync(path.join(srcDir, f.lfn), content);
    f.fsize = content.length;
    f.chksum = `ad:${adler32(content)}`;
  }
  return job;
}

/** A fixture job whose outputs really exist in their worker's access point. */
function jobWithRealOutputs(): JobSpec {
  const job = makeJobSpec({ subStatus: 'to_transfer' }, 0, 3);
  const workerID = 4242;
  for (const f of job.outFiles) {
    const p = path.join(workers, String(workerID), String(job.PandaID), f.lfn);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, randomBytes(500));
    Object.assign(f, { path: p, workerID, fsize: null, chksum: null });
  }
  job.outFiles[2].fileType = 'log';
  return job;
}

describe('local-copy plugins pass their conformance suites', () => {
  preparatorConformance(preparator(), { name: 'LocalCopyPreparator, real inputs', makeJob: jobWithRealInputs, maxChecks: 200 });
  preparatorConformance(preparator(), { name: 'LocalCopyPreparator, inputs missing' });
  preparatorConformance(preparator({ verifyChecksum: false, maxConcurrentCopies: 1 }), { name: 'LocalCopyPreparator, one copy at a time', makeJob: jobWithRealInputs, maxChecks: 200 });

  stagerConformance(stager(), { name: 'LocalCopyStager, real outputs', makeJob: jobWithRealOutputs, maxChecks: 200 });
  stagerConformance(stager(), { name: 'LocalCopyStager, outputs unknown to the resource' });
  stagerConformance(stager({ maxConcurrentCopies: 1 }), { name: 'LocalCopyStager, one copy at a time', makeJob: jobWithRealOutputs, maxChecks: 200 });
});
