import type { AttributeSpec } from '../../../src/plugins/attributes';

/**
 * Attributes the local-process submitter, monitor and sweeper share. Put them
 * in the queue's `common` block so all three agree (every plugin declaring an
 * attribute takes it from `common` when its own entry lacks it).
 */
export const STATE_DIR = {
  type: 'string',
  default: 'var/local-proc',
  doc: 'host-wide directory of the start queue and the slots (relative to the cwd); queues sharing it share maxConcurrent',
} as const satisfies AttributeSpec;

export const MAX_CONCURRENT = {
  type: 'integer',
  min: 0,
  default: 0,
  doc: 'payloads running at once on this host, counted over stateDir (0 = one per CPU core); more stay submitted (queued) until a slot frees',
} as const satisfies AttributeSpec;

export const START_GRACE = {
  type: 'number',
  min: 1,
  default: 60,
  doc: 'seconds a claimed payload may take to announce itself before it is considered never started (and queued again)',
} as const satisfies AttributeSpec;

export const PUMP_INTERVAL = {
  type: 'number',
  min: 0,
  default: 5,
  doc: 'seconds between background starts of queued payloads while any wait (0 = only at submission and monitor checks)',
} as const satisfies AttributeSpec;
