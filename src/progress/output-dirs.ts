import type { QueueConfigMapper } from '../queue-config/mapper';

/** LocalCopyStager's default output tree (plugins/stager/local_copy.ts). */
const LOCAL_COPY_DEFAULT_DST = 'var/output';

/**
 * Output trees of the served queues whose stager copies locally, for telling a
 * person where the outputs are. Other stagers ship outputs elsewhere: none listed.
 */
export function localOutputDirs(mapper: QueueConfigMapper): string[] {
  const dirs = new Set<string>();
  for (const q of mapper.getActiveQueues().values()) {
    if (!/local_copy/.test(q.stager.module)) continue;
    const dst = q.stager.dstBase;
    dirs.add(typeof dst === 'string' && dst ? dst.replace(/\/+$/, '') : LOCAL_COPY_DEFAULT_DST);
  }
  return [...dirs];
}
