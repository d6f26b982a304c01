import type { JsonValue } from './json';

/**
 * Job attributes reported by the payload (camelCase, as in the job's
 * `jobAttributes`) → the API v1 field names (facts §8.1). Unknown attributes fall
 * back to a generic camelCase → snake_case conversion.
 */
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  token: 'token',
  transExitCode: 'trans_exit_code',
  pilotErrorCode: 'pilot_error_code',
  pilotErrorDiag: 'pilot_error_diag',
  node: 'node',
  cpuConsumptionTime: 'cpu_consumption_time',
  cpuConsumptionUnit: 'cpu_consumption_unit',
  schedulerID: 'scheduler_id',
  pilotID: 'pilot_id',
  siteName: 'site_name',
  pilotLog: 'pilot_log',
  cpuConversionFactor: 'cpu_conversion_factor',
  exeErrorCode: 'exe_error_code',
  exeErrorDiag: 'exe_error_diag',
  pilotTiming: 'pilot_timing',
  startTime: 'start_time',
  endTime: 'end_time',
  nEvents: 'n_events',
  nInputFiles: 'n_input_files',
  batchID: 'batch_id',
  attemptNr: 'attempt_nr',
  jobMetrics: 'job_metrics',
  stdout: 'stdout',
  coreCount: 'core_count',
  maxRSS: 'max_rss',
  maxVMEM: 'max_vmem',
  maxSWAP: 'max_swap',
  maxPSS: 'max_pss',
  avgRSS: 'avg_rss',
  avgVMEM: 'avg_vmem',
  avgSWAP: 'avg_swap',
  avgPSS: 'avg_pss',
  totRCHAR: 'tot_rchar',
  totWCHAR: 'tot_wchar',
  totRBYTES: 'tot_rbytes',
  totWBYTES: 'tot_wbytes',
  rateRCHAR: 'rate_rchar',
  rateWCHAR: 'rate_wchar',
  rateRBYTES: 'rate_rbytes',
  rateWBYTES: 'rate_wbytes',
};

export function apiAttributeName(camel: string): string {
  const known = ATTRIBUTE_NAMES[camel];
  if (known) return known;
  return camel
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

export function mapJobAttributes(attrs: Readonly<Record<string, JsonValue>> | undefined): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  if (!attrs) return out;
  for (const k in attrs) {
    const v = attrs[k];
    if (v === undefined || !Object.prototype.hasOwnProperty.call(attrs, k)) continue;
    out[apiAttributeName(k)] = v;
  }
  return out;
}
