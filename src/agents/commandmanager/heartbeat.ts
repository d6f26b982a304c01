/** The harvester heartbeat (`harvester/heartbeat`, facts §2.11). */
import fs from 'node:fs';
import path from 'node:path';
import type { JsonObject } from '../../plugins/types';
import type { QueueConfig } from '../../queue-config/types';
import { pandaDatetime } from '../../upstream/protocol';

/** The original sends one every 10 minutes. */
export const HEARTBEAT_INTERVAL_S = 600;

let version: string | undefined;

/** This installation's version, from the package.json above this file (src/ or dist/src/). */
export function softwareVersion(): string {
  if (version !== undefined) return version;
  version = 'unknown';
  for (let dir = __dirname, i = 0; i < 6; i++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'harvester' && pkg.version) {
        version = pkg.version;
        break;
      }
    } catch {
      // not here; look further up
    }
  }
  return version;
}

/**
 * The first heartbeat of a process: its start time, version, and the
 * commands PanDA may send for pilot-streaming (runMode slave) queues.
 */
export function startupHeartbeat(startTime: Date, queues: Iterable<QueueConfig>): JsonObject {
  const commands: JsonObject[] = [];
  const sites = new Set<string>();
  for (const q of queues) {
    if (q.runMode !== 'slave') continue;
    if (!sites.has(q.siteName)) {
      sites.add(q.siteName);
      commands.push({ command: 'REPORT_WORKER_STATS', computingSite: q.siteName });
    }
    commands.push({ command: 'SET_N_WORKERS_JOBTYPE', computingSite: q.queueName, resourceType: q.resourceType });
  }
  return { startTime: pandaDatetime(startTime), sw_version: softwareVersion(), commit_stamp: '', commands };
}
