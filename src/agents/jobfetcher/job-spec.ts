/**
 * A job dict from PanDA → the job_table row and its input file rows the
 * fetcher inserts (facts §2.1 step 4, §8.3 for the dict fields).
 */
import { secondsBefore } from '../../db/dates';
import type { NewJob } from '../../db/repo/jobs';
import type { PandaJob } from '../../plugins/communicator';
import type { FileSpec, Json, JsonObject } from '../../plugins/types';

type NewFile = NewJob['files'][number];

/** What the fetcher knows of the queue when building rows. */
export interface QueueForJobs {
  queueName: string;
  configID: number | null;
  zipPerMB: number | null;
  ddmEndpointIn: string | null;
}

/** PanDA sends ids as numbers, as numeric strings, or as "NULL". */
export function intField(v: Json | undefined): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && v.trim() !== '' && v !== 'NULL' && Number.isFinite(Number(v))) return Math.trunc(Number(v));
  return null;
}

/** A comma list field (`inFiles`, `GUID`, ...) split, index-aligned. */
function listField(dict: JsonObject, key: string): string[] {
  const v = dict[key];
  if (typeof v !== 'string') return [];
  return v.split(',').map((s) => s.trim());
}

const isRealLfn = (lfn: string | undefined): lfn is string => lfn !== undefined && lfn !== '' && lfn !== 'NULL';

export interface InputFileAttributes {
  lfn: string;
  scope: string | null;
  fsize: number | null;
  chksum: string | null;
  guid: string | null;
  dataset: string | null;
}

/** Input files of a job, one per distinct LFN (the original's get_input_file_attributes). */
export function inputFilesOf(dict: JsonObject): InputFileAttributes[] {
  const lfns = listField(dict, 'inFiles');
  const guids = listField(dict, 'GUID');
  const sizes = listField(dict, 'fsize');
  const sums = listField(dict, 'checksum');
  const scopes = listField(dict, 'scopeIn');
  const datasets = listField(dict, 'realDatasetsIn');
  const out = new Map<string, InputFileAttributes>();
  lfns.forEach((lfn, i) => {
    if (!isRealLfn(lfn) || out.has(lfn)) return;
    const size = sizes[i] !== undefined && sizes[i] !== '' && Number.isFinite(Number(sizes[i])) ? Number(sizes[i]) : null;
    out.set(lfn, {
      lfn,
      scope: scopes[i] || null,
      fsize: size,
      chksum: sums[i] && sums[i] !== 'NULL' ? sums[i] : null,
      guid: guids[i] || null,
      dataset: datasets[i] || null,
    });
  });
  return [...out.values()];
}

/**
 * Builds the rows. `inputInUse` holds LFNs another starting job already brings
 * in (same endpoint): those files start `preparing` — the preparator waits for
 * the other job's transfer instead of starting a second one. The set is
 * extended with this job's LFNs so later jobs of the same batch share them too.
 */
export function buildNewJob(dict: PandaJob, queue: QueueForJobs, harvesterId: string, inputInUse: Set<string>, now: Date): NewJob {
  const files: NewFile[] = inputFilesOf(dict).map((f) => {
    const status: FileSpec['status'] = inputInUse.has(f.lfn) ? 'preparing' : 'to_prepare';
    inputInUse.add(f.lfn);
    const attrs: JsonObject = {};
    if (f.guid) attrs.guid = f.guid;
    if (f.dataset) attrs.dataset = f.dataset;
    return {
      taskID: intField(dict.taskID),
      lfn: f.lfn,
      status,
      fileType: 'input',
      scope: f.scope,
      fsize: f.fsize,
      chksum: f.chksum,
      endpoint: queue.ddmEndpointIn,
      fileAttributes: Object.keys(attrs).length ? attrs : null,
    };
  });
  const coreCount = intField(dict.coreCount);
  return {
    PandaID: dict.PandaID,
    taskID: intField(dict.taskID),
    attemptNr: intField(dict.attemptNr),
    jobsetID: intField(dict.jobsetID),
    currentPriority: intField(dict.currentPriority),
    status: 'starting',
    subStatus: 'fetched',
    computingSite: queue.queueName,
    creationTime: now,
    modificationTime: now,
    stateChangeTime: now,
    nCore: coreCount,
    resourceType: typeof dict.resource_type === 'string' ? dict.resource_type : null,
    jobParams: dict,
    // The original's set_one_attribute("schedulerID", ...): reported back with every update.
    jobAttributes: { schedulerID: `harvester-${harvesterId}` },
    configID: queue.configID,
    zipPerMB: intField(dict.zipPerMB) ?? queue.zipPerMB,
    nWorkers: 0,
    nWorkersInTotal: 0,
    submissionAttempts: 0,
    // trigger_propagation: due for the propagator at once, so PanDA hears "starting".
    propagatorTime: secondsBefore(now, 3600),
    files,
  };
}
