import type { FileSpec, JobSpec, QueueInfo, WorkerSpec } from '../../src/plugins/types';

/**
 * Spec builders for conformance suites and agent tests. Ids come from a
 * counter so specs built in one test never collide.
 */
let nextID = 1;
const id = () => nextID++;

export function makeWorkerSpec(over: Partial<WorkerSpec> = {}): WorkerSpec {
  const workerID = over.workerID ?? 900_000 + id();
  return {
    workerID,
    status: 'pending',
    computingSite: 'CONFORMANCE_QUEUE',
    mapType: 'OneToOne',
    hasJob: 1,
    nCore: 1,
    creationTime: new Date(),
    jobType: 'managed',
    resourceType: 'SCORE',
    ...over,
  };
}

export function makeFileSpec(over: Partial<FileSpec> & Pick<FileSpec, 'PandaID'>): FileSpec {
  const n = id();
  return {
    fileID: n,
    lfn: `file.${over.PandaID}.${n}.root`,
    status: 'defined',
    fileType: 'output',
    scope: 'mc_test',
    fsize: 1024,
    chksum: 'ad:00000001',
    attemptNr: 0,
    ...over,
  };
}

/** A job with `nIn` inputs (`to_prepare`) and `nOut` outputs (`defined`). */
export function makeJobSpec(over: Partial<JobSpec> = {}, nIn = 2, nOut = 2): JobSpec {
  const PandaID = over.PandaID ?? 5_000_000 + id();
  const inFiles = Array.from({ length: nIn }, () => makeFileSpec({ PandaID, fileType: 'input', status: 'to_prepare' }));
  const outFiles = Array.from({ length: nOut }, () => makeFileSpec({ PandaID, fileType: 'output', status: 'defined' }));
  return {
    PandaID,
    taskID: 42,
    attemptNr: 1,
    status: 'starting',
    subStatus: 'fetched',
    computingSite: 'CONFORMANCE_QUEUE',
    nCore: 1,
    jobParams: {
      PandaID, taskID: 42, coreCount: 1,
      inFiles: inFiles.map((f) => f.lfn).join(','),
      outFiles: outFiles.map((f) => f.lfn).join(','),
    },
    inFiles,
    outFiles,
    ...over,
  };
}

export function makeQueueInfo(over: Partial<QueueInfo> = {}): QueueInfo {
  return { queueName: 'CONFORMANCE_QUEUE', siteName: 'CONFORMANCE_QUEUE', mapType: 'OneToOne', prodSourceLabel: 'managed', ...over };
}

/** Deep copy that keeps Dates, to check a plugin left its inputs alone. */
export function snapshot<T>(value: T): T {
  return structuredClone(value);
}
