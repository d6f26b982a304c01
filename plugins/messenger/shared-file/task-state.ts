import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import type { JobSpec } from '../../../src/plugins/types';
import { PathEscapeError, resolveInsideReal } from '../../lib/safe-path';
import { adler32File } from './checksum';
import { isPlainObject, readJson } from './io';
import type { DumpEntry } from './leftovers';

/**
 * On-site merging (facts §9.1): a payload merging outputs across jobs of a
 * task keeps `<taskDir>/state.json` = `{"merged": {inputLfn: {outputLfn:
 * {path, fsize?, guid?, chksum?}}}}`. Post-processing turns every merged
 * output into an `output` entry of the job's event status dump and lists the
 * job's inputs not merged yet as `skippedInputs`. The file is written by the
 * payload, so each `path` must lie inside the task dir.
 */

export interface TaskState {
  outputs: DumpEntry[];
  skippedInputs: string[];
}

/** Throws on an unparsable state file (the original raised: post-processing is retried). */
export async function readTaskState(
  taskDir: string, stateFile: string, job: JobSpec, onReject: (path: string, reason: string) => void,
): Promise<TaskState> {
  const done = new Set<string>();
  const outputs: DumpEntry[] = [];
  const file = await resolveInsideReal(taskDir, stateFile, { allowAbsolute: false });
  const r = await readJson(file);
  if (r.status === 'invalid') throw new Error(`failed to parse task-level work state file ${file}: ${r.error}`);
  if (r.status === 'ok' && isPlainObject(r.value) && isPlainObject(r.value.merged)) {
    const seen = new Set<string>();
    for (const [input, outs] of Object.entries(r.value.merged)) {
      if (!isPlainObject(outs)) continue;
      for (const [lfn, info] of Object.entries(outs)) {
        if (seen.has(lfn) || !isPlainObject(info) || typeof info.path !== 'string') continue;
        seen.add(lfn);
        let real: string;
        try {
          real = await resolveInsideReal(taskDir, info.path);
        } catch (err) {
          if (!(err instanceof PathEscapeError)) throw err;
          onReject(info.path, err.reason);
          continue;
        }
        outputs.push({
          path: real,
          type: 'output',
          fsize: typeof info.fsize === 'number' ? info.fsize : (await fs.promises.stat(real)).size,
          guid: typeof info.guid === 'string' ? info.guid : randomUUID(),
          chksum: typeof info.chksum === 'string' ? info.chksum : `ad:${await adler32File(real)}`,
        });
      }
      done.add(input);
    }
  }
  return { outputs, skippedInputs: job.inFiles.map((f) => f.lfn).filter((lfn) => !done.has(lfn)) };
}
