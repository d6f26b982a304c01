import type { HarvesterConfig } from '../../config/schema';

/** `[preparator]` keys the cycle reads (facts §2.3), with 0 = unlimited turned into undefined. */
export interface PreparatorSettings {
  maxJobsToCheck: number;
  maxJobsToTrigger: number;
  maxFilesPerJobToCheck: number | undefined;
  maxFilesPerJobToPrepare: number | undefined;
  lockInterval: number;
  checkInterval: number;
  triggerInterval: number;
}

const limit = (n: number): number | undefined => (n > 0 ? n : undefined);

export function preparatorSettings(config: HarvesterConfig): PreparatorSettings {
  const s = config.preparator;
  return {
    maxJobsToCheck: s.maxJobsToCheck,
    maxJobsToTrigger: s.maxJobsToTrigger,
    maxFilesPerJobToCheck: limit(s.maxFilesPerJobToCheck),
    maxFilesPerJobToPrepare: limit(s.maxFilesPerJobToPrepare),
    lockInterval: s.lockInterval,
    checkInterval: s.checkInterval,
    triggerInterval: s.triggerInterval,
  };
}
