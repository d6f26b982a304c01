import { createHash } from 'node:crypto';
import * as path from 'node:path';

/**
 * Rucio-style deterministic path, as the original's
 * `mover_utils.construct_file_path`: `base/<scope dirs>/<md5[0:2]>/<md5[2:4]>/lfn`
 * with the md5 of `scope:lfn` and dots in the scope turned into directories.
 */
export function constructFilePath(base: string, scope: string | null | undefined, lfn: string): string {
  const s = scope ?? '';
  const md5 = createHash('md5').update(`${s}:${lfn}`).digest('hex');
  return path.join(base, ...s.split('.').filter(Boolean), md5.slice(0, 2), md5.slice(2, 4), lfn);
}
