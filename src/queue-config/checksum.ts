/**
 * The identity of a resolved queue config: md5 of its JSON without
 * `queueStatus` (taking a queue offline and back must not mint a new configID,
 * as in the original) and without `configID` itself. Keys are sorted so the
 * same config always hashes the same regardless of file order.
 */
import { createHash } from 'node:crypto';
import type { QueueConfig } from './types';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

/** The part of a queue config that defines its configID (the `data` of its qcdump_table row). */
export function dumpData(config: QueueConfig): Record<string, unknown> {
  const { queueStatus: _status, configID: _id, ...rest } = config;
  return rest;
}

export function queueConfigChecksum(config: QueueConfig): string {
  return createHash('md5').update(canonicalJson(dumpData(config))).digest('hex');
}

/** `<queue>_<md5>`: unique per distinct config of a queue (qcdump_table.dumpUniqueName). */
export function dumpUniqueName(queueName: string, checksum: string): string {
  return `${queueName}_${checksum}`;
}
