/** Column names per table (facts §4), for validating the column names release callers pass. Generated from the same list as the entities and 0001-initial. */
export const JOB_COLUMNS = [
  'PandaID', 'taskID', 'attemptNr', 'status', 'subStatus', 'currentPriority', 'computingSite', 'creationTime', 'modificationTime', 'stateChangeTime', 'startTime', 'endTime', 'nCore', 'jobParams', 'jobAttributes', 'hasOutFile', 'metaData', 'outputFilesToReport', 'lockedBy', 'propagatorLock', 'propagatorTime', 'preparatorTime', 'submitterTime', 'stagerLock', 'stagerTime', 'zipPerMB', 'nWorkers', 'nWorkersLimit', 'submissionAttempts', 'jobsetID', 'pilotClosed', 'configID', 'nRemainingEvents', 'moreWorkers', 'maxWorkersInTotal', 'nWorkersInTotal', 'jobParamsExtForOutput', 'jobParamsExtForLog', 'auxInput', 'resourceType',
] as const;
export type JobColumn = (typeof JOB_COLUMNS)[number];
export const WORK_COLUMNS = [
  'workerID', 'batchID', 'mapType', 'queueName', 'status', 'hasJob', 'workParams', 'workAttributes', 'eventsRequestParams', 'eventsRequest', 'computingSite', 'creationTime', 'submitTime', 'startTime', 'endTime', 'nCore', 'walltime', 'accessPoint', 'modificationTime', 'lastUpdate', 'eventFeedTime', 'lockedBy', 'postProcessed', 'nodeID', 'minRamCount', 'maxDiskCount', 'maxWalltime', 'killTime', 'computingElement', 'nJobsToReFill', 'logFilesToUpload', 'jobType', 'resourceType', 'nativeExitCode', 'nativeStatus', 'diagMessage', 'nJobs', 'submissionHost', 'configID', 'syncLevel', 'checkTime', 'ioIntensity', 'harvesterHost', 'pilotType', 'eventFeedLock', 'errorCode', 'errorDiag',
] as const;
export type WorkColumn = (typeof WORK_COLUMNS)[number];
export const FILE_COLUMNS = [
  'fileID', 'PandaID', 'taskID', 'lfn', 'status', 'fsize', 'chksum', 'path', 'fileType', 'eventRangeID', 'modificationTime', 'fileAttributes', 'isZip', 'zipFileID', 'objstoreID', 'endpoint', 'groupID', 'groupStatus', 'groupUpdateTime', 'attemptNr', 'todelete', 'scope', 'pathConvention', 'provenanceID', 'workerID', 'url',
] as const;
export type FileColumn = (typeof FILE_COLUMNS)[number];
export const EVENT_COLUMNS = [
  'id', 'eventRangeID', 'PandaID', 'eventStatus', 'coreCount', 'cpuConsumptionTime', 'subStatus', 'fileID', 'loss',
] as const;
export type EventColumn = (typeof EVENT_COLUMNS)[number];
export const JW_COLUMNS = [
  'id', 'PandaID', 'workerID', 'relationType',
] as const;
export type JwColumn = (typeof JW_COLUMNS)[number];
export const PQ_COLUMNS = [
  'uniqueName', 'queueName', 'nQueueLimitJob', 'nQueueLimitWorker', 'maxWorkers', 'jobFetchTime', 'submitTime', 'lockedBy', 'siteName', 'jobType', 'resourceType', 'nNewWorkers', 'nQueueLimitJobRatio', 'nQueueLimitJobMax', 'nQueueLimitJobMin', 'nQueueLimitWorkerRatio', 'nQueueLimitWorkerMax', 'nQueueLimitWorkerMin',
] as const;
export type PqColumn = (typeof PQ_COLUMNS)[number];
export const CACHE_COLUMNS = [
  'mainKey', 'subKey', 'data', 'lastUpdate',
] as const;
export type CacheColumn = (typeof CACHE_COLUMNS)[number];
export const COMMAND_COLUMNS = [
  'command_id', 'command', 'receiver', 'params', 'ack_requested', 'processed',
] as const;
export type CommandColumn = (typeof COMMAND_COLUMNS)[number];
export const SEQ_COLUMNS = [
  'numberName', 'curVal',
] as const;
export type SeqColumn = (typeof SEQ_COLUMNS)[number];
export const LOCK_COLUMNS = [
  'processName', 'lockedBy', 'lockTime',
] as const;
export type LockColumn = (typeof LOCK_COLUMNS)[number];
export const DIAG_COLUMNS = [
  'diagID', 'moduleName', 'identifier', 'creationTime', 'lockTime', 'messageLevel', 'lockedBy', 'diagMessage',
] as const;
export type DiagColumn = (typeof DIAG_COLUMNS)[number];
export const QCDUMP_COLUMNS = [
  'configID', 'queueName', 'checksum', 'dumpUniqueName', 'creationTime', 'data',
] as const;
export type QcdumpColumn = (typeof QCDUMP_COLUMNS)[number];
export const SM_COLUMNS = [
  'id', 'creationTime', 'hostName', 'metrics',
] as const;
export type SmColumn = (typeof SM_COLUMNS)[number];

export const TABLE_COLUMNS: Record<string, readonly string[]> = {
  job_table: JOB_COLUMNS,
  work_table: WORK_COLUMNS,
  file_table: FILE_COLUMNS,
  event_table: EVENT_COLUMNS,
  jw_table: JW_COLUMNS,
  pq_table: PQ_COLUMNS,
  cache_table: CACHE_COLUMNS,
  command_table: COMMAND_COLUMNS,
  seq_table: SEQ_COLUMNS,
  lock_table: LOCK_COLUMNS,
  diag_table: DIAG_COLUMNS,
  qcdump_table: QCDUMP_COLUMNS,
  sm_table: SM_COLUMNS,
};
