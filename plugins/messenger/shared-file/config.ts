import * as path from 'node:path';
import type { AttributeSchema, AttributesOf } from '../../../src/plugins/attributes';
import { schema as systemSchema } from '../../../src/config/schema';
import { PathEscapeError, resolveInside } from '../../lib/safe-path';

/**
 * Attributes of the shared-file messenger. The options are the original
 * class's (jobSpecFileFormat, stripJobParams, scanInPostProcess, ...). The
 * file names are the original's `[payload_interaction]` keys with the same
 * defaults as our `[payload_interaction]` section: plugins do not receive the
 * system config, so a site that renamed a file there sets the same key in the
 * queue's messenger entry (or its `common` block).
 */

const pi = systemSchema.payload_interaction;
const fileName = (doc: string, def: string) => ({ type: 'string', doc: `file name: ${doc}`, default: def }) as const;

export const attributes = {
  baseDir: { type: 'string', doc: 'directory every access point must be inside (default: the fixed part of accessPoint before its first placeholder)' },
  extraOutputDirs: { type: 'string[]', default: [], doc: 'directories besides the worker\'s access point where reported output files may live' },
  jobSpecFileFormat: { type: 'string', enum: ['json', 'cgi'], default: 'json', doc: 'job spec file as {PandaID: jobParams} JSON, or URL-encoded jobParams (cgi)' },
  stripJobParams: { type: 'boolean', default: false, doc: 'drop input dataset fields (prodDBlocks, realDatasetsIn, ...) from the job spec file' },
  scanInPostProcess: { type: 'boolean', default: false, doc: 'post-processing scans the access point\'s sub-dirs for left-over event outputs' },
  leftOverPatterns: { type: 'string[]', doc: 'regexes of left-over file names (%PANDAID, %TASKID, %OUTPUT_FILE); absent = every file' },
  leftOverZipPatterns: { type: 'string[]', doc: 'regexes of left-over tarballs holding several event outputs' },
  postProcessInSubDir: { type: 'boolean', default: false, doc: 'post-processing works in <accessPoint>/<PandaID>' },
  outputSubDir: { type: 'string', doc: 'leftover scan looks in <sub-dir>/<outputSubDir> instead of the sub-dirs themselves' },
  subTarballName: { type: 'string', doc: 'a sub-dir already holding this tarball has it used as its sub-tarball' },
  maxWorkersForZip: { type: 'integer', min: 1, doc: 'sub-dirs tarred / scanned in parallel (default: number of CPUs)' },
  forcePostProcessing: { type: 'boolean', default: false, doc: 'run post-processing even for heartbeat-suppressed or truePilot queues' },
  taskWorkBaseDir: { type: 'string', default: '/tmp/workdir', doc: 'on-site merging: base of the per-task work dirs (<taskWorkBaseDir>/<taskID>)' },
  taskWorkStateFile: { type: 'string', default: 'state.json', doc: 'on-site merging: state file in the task work dir' },
  workerAttributesFile: fileName(pi.workerAttributesFile.doc, pi.workerAttributesFile.default),
  jobReportFile: fileName(pi.jobReportFile.doc, pi.jobReportFile.default),
  eventStatusDumpJsonFile: fileName(pi.eventStatusDumpJsonFile.doc, pi.eventStatusDumpJsonFile.default),
  eventStatusDumpXmlFile: fileName(pi.eventStatusDumpXmlFile.doc, pi.eventStatusDumpXmlFile.default),
  jobRequestFile: fileName(pi.jobRequestFile.doc, pi.jobRequestFile.default),
  jobSpecFile: fileName(pi.jobSpecFile.doc, pi.jobSpecFile.default),
  eventRequestFile: fileName(pi.eventRequestFile.doc, pi.eventRequestFile.default),
  eventRangesFile: fileName(pi.eventRangesFile.doc, pi.eventRangesFile.default),
  updateEventsFile: fileName(pi.updateEventsFile.doc, pi.updateEventsFile.default),
  xmlPoolCatalogFile: fileName(pi.xmlPoolCatalogFile.doc, pi.xmlPoolCatalogFile.default),
  pandaIDsFile: fileName(pi.pandaIDsFile.doc, pi.pandaIDsFile.default),
  killWorkerFile: fileName(pi.killWorkerFile.doc, pi.killWorkerFile.default),
  heartbeatFile: fileName(pi.heartbeatFile.doc, pi.heartbeatFile.default),
} as const satisfies AttributeSchema;

export type SharedFileAttributes = AttributesOf<typeof attributes> & {
  /** Template from the category attributes; the submitter expands it into each worker's accessPoint. */
  accessPoint?: string;
  queueName?: string;
};

/** File-name attributes: each must be a plain name (or relative path) inside the access point. */
export const FILE_NAME_KEYS = [
  'workerAttributesFile', 'jobReportFile', 'eventStatusDumpJsonFile', 'eventStatusDumpXmlFile', 'jobRequestFile',
  'jobSpecFile', 'eventRequestFile', 'eventRangesFile', 'updateEventsFile', 'xmlPoolCatalogFile', 'pandaIDsFile',
  'killWorkerFile', 'heartbeatFile', 'taskWorkStateFile',
] as const;

export type FileNameKey = (typeof FILE_NAME_KEYS)[number];

/** Optional names joined to a job's sub-dirs: held to the same rule. */
const RELATIVE_NAME_KEYS = ['subTarballName', 'outputSubDir'] as const;
export type FileNames = Readonly<Record<FileNameKey, string>>;

/** Fixed names of the original (not configurable there either). */
export const TASK_WORKDIR_PATH_FILE = 'task_workdir_path.txt';
export const POST_PROCESS_ATTRS_FILE = 'post_process_job_attrs.json';
/** Suffix a payload file gets while harvester processes it (the original's suffixReadJson). */
export const READ_SUFFIX = '.read';

/**
 * The directory all access points live in: `baseDir`, else the fixed part of
 * the `accessPoint` template up to its first placeholder (`/data/hv/${workerID}`
 * → `/data/hv`; `/data/hv/w${workerID}` → `/data/hv`); a template without
 * placeholder is a directory shared by all workers and is the base itself.
 */
export function baseDirOf(a: { baseDir?: string; accessPoint?: string }, cwd: string = process.cwd()): string | null {
  if (a.baseDir) return path.resolve(cwd, a.baseDir);
  if (!a.accessPoint) return null;
  const i = a.accessPoint.indexOf('$');
  if (i < 0) return path.resolve(cwd, a.accessPoint);
  const fixed = a.accessPoint.slice(0, i);
  return path.resolve(cwd, fixed.endsWith('/') ? fixed : path.dirname(fixed));
}

/**
 * Checks what the schema cannot: a base directory exists in the config and
 * is not `/`, file names stay inside the access point. Throws with a reason
 * the factory shows to the operator.
 */
export function validateAttributes(values: Record<string, unknown>): Record<string, unknown> {
  const a = values as Partial<SharedFileAttributes>;
  const base = baseDirOf(a);
  if (base === null) throw new Error('needs accessPoint (template with ${workerID}) or baseDir');
  if (path.dirname(base) === base) throw new Error(`the access point base directory is ${base}: refusing to manage the filesystem root`);
  const probe = path.join(path.sep, 'access-point');
  for (const key of [...FILE_NAME_KEYS, ...RELATIVE_NAME_KEYS]) {
    const name = values[key];
    if (typeof name !== 'string') continue;
    try {
      resolveInside(probe, name, { allowAbsolute: false });
    } catch (err) {
      if (err instanceof PathEscapeError) throw new Error(`${key} "${name}" must be a file name inside the access point: ${err.reason}`);
      throw err;
    }
  }
  for (const key of ['leftOverPatterns', 'leftOverZipPatterns'] as const) {
    for (const p of (values[key] as string[] | undefined) ?? []) {
      try {
        new RegExp(p);
      } catch (err) {
        throw new Error(`${key}: ${JSON.stringify(p)} is not a valid regular expression: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  return values;
}
