import type { HarvesterConfig } from '../../config/schema';
import { schema } from '../../config/schema';

/** `[stager]` and `[zipper]` keys the stager reads (facts §2.6); 0 = unlimited becomes undefined. */
export interface StagerSettings {
  maxJobsToCheck: number;
  maxJobsToTrigger: number;
  maxFilesPerJobToCheck: number | undefined;
  maxFilesPerJobToTrigger: number | undefined;
  lockInterval: number;
  checkInterval: number;
  triggerInterval: number;
  zip: ZipSettings;
}

export interface ZipSettings {
  maxJobsToZip: number;
  maxFilesPerJobToZip: number | undefined;
  usePostZipping: boolean;
  zipInterval: number;
  /** Zip calls run at the same time within one zip pass. */
  nThreadsForZip: number;
}

const limit = (n: number): number | undefined => (n > 0 ? n : undefined);

type ZipKey = 'maxJobsToZip' | 'maxFilesPerJobToZip' | 'usePostZipping' | 'zipInterval' | 'nThreadsForZip';

/**
 * The original reads zip settings from `[zipper]` when that section exists,
 * else from the obsolete `[stager]` keys. Our schema always has a `[zipper]`
 * section (with defaults), so "exists" becomes "set": a `[zipper]` key left at
 * its default gives way to a `[stager]` key an old config file changed.
 */
function zipValue<K extends ZipKey>(config: HarvesterConfig, key: K): HarvesterConfig['zipper'][K] {
  const zipper = config.zipper[key];
  const zipperDefault = (schema.zipper[key] as { default: unknown }).default;
  const stager = (config.stager as Record<string, unknown>)[key];
  const stagerDefault = (schema.stager as Record<string, { default: unknown }>)[key]?.default;
  if (zipper === zipperDefault && stager !== undefined && stager !== stagerDefault) return stager as HarvesterConfig['zipper'][K];
  return zipper;
}

export function stagerSettings(config: HarvesterConfig): StagerSettings {
  const s = config.stager;
  return {
    maxJobsToCheck: s.maxJobsToCheck,
    maxJobsToTrigger: s.maxJobsToTrigger,
    maxFilesPerJobToCheck: limit(s.maxFilesPerJobToCheck),
    maxFilesPerJobToTrigger: limit(s.maxFilesPerJobToTrigger),
    lockInterval: s.lockInterval,
    checkInterval: s.checkInterval,
    triggerInterval: s.triggerInterval,
    zip: {
      maxJobsToZip: zipValue(config, 'maxJobsToZip'),
      maxFilesPerJobToZip: limit(zipValue(config, 'maxFilesPerJobToZip')),
      usePostZipping: zipValue(config, 'usePostZipping'),
      zipInterval: zipValue(config, 'zipInterval'),
      nThreadsForZip: Math.max(1, zipValue(config, 'nThreadsForZip')),
    },
  };
}
