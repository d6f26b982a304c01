import type { FileType } from '../../plugins/types';

/**
 * The job's `auxInput` flag (facts §5.5): NULL = no aux inputs; otherwise the
 * job first stages its ordinary inputs with `preparator`, then its aux inputs
 * (container images, ...) with `aux_preparator`, both in trigger and check.
 */
export const AUX = { hasAuxInput: 0, inTriggered: 1, allTriggered: 2, inReady: 3, allReady: 4 } as const;

/** Which plugin section and which input files a phase works on for a job. */
export interface StageInTarget {
  section: 'preparator' | 'aux_preparator';
  fileType: Extract<FileType, 'input' | 'aux_input'>;
}

const MAIN: StageInTarget = { section: 'preparator', fileType: 'input' };
const AUXILIARY: StageInTarget = { section: 'aux_preparator', fileType: 'aux_input' };

/** Trigger: ordinary inputs until they are all triggered (flag 0), then aux inputs (flag 1). */
export function triggerTarget(auxInput: number | null | undefined): StageInTarget {
  return auxInput === null || auxInput === undefined || auxInput === AUX.hasAuxInput ? MAIN : AUXILIARY;
}

/** Check: ordinary inputs until they are all ready (flag 2), then aux inputs (flag 3). */
export function checkTarget(auxInput: number | null | undefined): StageInTarget {
  return auxInput === AUX.inReady || auxInput === AUX.allReady ? AUXILIARY : MAIN;
}

/**
 * Flag after a trigger call left nothing of its file type to trigger:
 * ordinary inputs done → aux phase starts (look the job up again); aux done →
 * everything triggered. `done` says whether the job may move to `preparing`.
 */
export function afterAllTriggered(auxInput: number | null | undefined): { auxInput: number | null; done: boolean } {
  if (auxInput === null || auxInput === undefined) return { auxInput: null, done: true };
  if (auxInput === AUX.hasAuxInput) return { auxInput: AUX.inTriggered, done: false };
  return { auxInput: AUX.allTriggered, done: true };
}

/** Same for the check phase: ordinary inputs ready → aux phase; aux ready → everything ready. */
export function afterAllReady(auxInput: number | null | undefined): { auxInput: number | null; done: boolean } {
  if (auxInput === null || auxInput === undefined) return { auxInput: null, done: true };
  if (auxInput !== AUX.inReady) return { auxInput: AUX.inReady, done: false };
  return { auxInput: AUX.allReady, done: true };
}
