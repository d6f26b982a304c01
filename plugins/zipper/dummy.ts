import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AttributeSchema, AttributesOf } from '../../src/plugins/attributes';
import type { PluginContext } from '../../src/plugins/context';
import type { FileSpec, FileUpdate, JobSpec } from '../../src/plugins/types';
import type { ZipResult, Zipper } from '../../src/plugins/zipper';
import { adler32, happens } from '../lib/chance';
import { delay } from '../lib/delay';

const attributes = {
  zipDelay: { type: 'number', min: 0, default: 0, doc: 'ms each zip call takes' },
  failureRate: { type: 'number', min: 0, max: 1, default: 0, doc: 'fraction of jobs whose zipping fails (per PandaID and seed)' },
  seed: { type: 'integer', default: 0, doc: 'seed of the deterministic failure choice' },
  zipDir: { type: 'string', default: path.join(os.tmpdir(), 'harvester-dummy-zips'), doc: 'where archives are written' },
  writeFiles: { type: 'boolean', default: false, doc: 'write real archives (members concatenated) and checksum them; else compute size/checksum only' },
} as const satisfies AttributeSchema;

/**
 * Pretend zipper: for each `zip_output` file, the archive size is the sum of
 * its members' sizes and the checksum an adler32 of the member list — or, with
 * `writeFiles`, a real file of the concatenated members and its true adler32.
 * `asyncZipOutput` is the same call reported `done` (nothing to wait for).
 */
export class DummyZipper implements Zipper {
  static readonly attributes = attributes;
  private readonly a: AttributesOf<typeof attributes>;

  constructor(attrs: AttributesOf<typeof attributes>, private readonly ctx: PluginContext) {
    this.a = attrs;
  }

  async zipOutput(job: JobSpec): Promise<ZipResult> {
    await delay(this.a.zipDelay);
    if (happens(this.a.failureRate, this.a.seed, 'zip', job.PandaID)) {
      return { status: 'failed', diag: `dummy zipping of job ${job.PandaID} failed` };
    }
    const files = job.outFiles.filter((f) => f.fileType === 'zip_output' || f.isZip).map((f) => this.zipOne(f));
    return { status: 'done', diag: `${files.length} archive(s)`, files };
  }

  async asyncZipOutput(job: JobSpec): Promise<ZipResult> {
    return this.zipOutput(job);
  }

  async postZipOutput(job: JobSpec): Promise<ZipResult> {
    return { status: 'done', diag: `nothing to finish for job ${job.PandaID}` };
  }

  private zipOne(zip: FileSpec): FileUpdate {
    const members = zip.associatedFiles ?? [];
    const target = path.join(this.a.zipDir, zip.lfn);
    if (this.a.writeFiles) {
      fs.mkdirSync(this.a.zipDir, { recursive: true });
      const parts = members.map((m) => (m.path && fs.existsSync(m.path) ? fs.readFileSync(m.path) : Buffer.from(m.lfn)));
      const content = Buffer.concat(parts);
      fs.writeFileSync(target, content);
      return { fileID: zip.fileID, path: target, fsize: content.length, chksum: `ad:${adler32(content)}` };
    }
    const fsize = members.reduce((n, m) => n + (m.fsize ?? 0), 0);
    return { fileID: zip.fileID, path: target, fsize, chksum: `ad:${adler32(members.map((m) => m.lfn).join(','))}` };
  }
}
