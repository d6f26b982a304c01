import type { HarvesterConfig } from '../../config/schema';

/** The `[submitter]` keys a cycle reads (facts §2.4), resolved once per cycle so a config reload applies next cycle. */
export interface SubmitterSettings {
  readonly lookupTime: number;
  readonly queueLockInterval: number;
  readonly lockInterval: number;
  readonly checkInterval: number;
  readonly minSubmissionInterval: number;
  readonly maxNewWorkers: number;
  readonly respectSleepTime: boolean;
  /** A number; `auto` resolves to 1 (see activateWorkerFactor in worker-inputs.ts). */
  readonly activateWorkerFactor: number | 'auto';
  readonly noPilotsWhenNoActiveJobs: boolean;
  readonly harvesterID: string;
}

export function submitterSettings(config: HarvesterConfig): SubmitterSettings {
  const s = config.submitter;
  return {
    lookupTime: s.lookupTime,
    queueLockInterval: s.queueLockInterval,
    lockInterval: s.lockInterval,
    checkInterval: s.checkInterval,
    minSubmissionInterval: s.minSubmissionInterval,
    maxNewWorkers: s.maxNewWorkers,
    respectSleepTime: s.respectSleepTime,
    activateWorkerFactor: s.activateWorkerFactor,
    noPilotsWhenNoActiveJobs: s.noPilotsWhenNoActiveJobs,
    harvesterID: config.master.harvester_id,
  };
}
