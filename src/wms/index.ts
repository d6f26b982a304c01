export { startWms, DEFAULT_WMS_HOST, DEFAULT_WMS_PORT, API_PREFIX, ADMIN_PREFIX } from './server';
export type { WmsHandle, WmsOptions, OutageMode } from './server';
export { WmsStore, FINAL_WMS_JOB_STATUSES } from './store';
export type { WmsJob, WmsWorker, WmsCommand, StatusRecord } from './store';
export { readJobSourceFile, expandJobSource, makeJobDict, JobSourceError } from './job-source';
