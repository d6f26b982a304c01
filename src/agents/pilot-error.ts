import type { JsonObject } from '../plugins/types';

/** Pilot error codes Harvester sets itself (the original's PilotErrors). */
export const PILOT_ERRORS = {
  /** Stage-in failed (preparator). */
  STAGEINFAILED: 1099,
  /** Stage-out or zipping failed (stager). */
  STAGEOUTFAILED: 1137,
} as const;

/**
 * The original's `JobSpec.set_pilot_error`: the code and diag travel in
 * `jobAttributes`, which the propagator reports to PanDA as
 * pilotErrorCode/pilotErrorDiag. Returns a new object; the diag is cut to
 * 250 characters like PanDA's column.
 */
export function withPilotError(attributes: JsonObject | null | undefined, code: number, diag: string): JsonObject {
  return { ...(attributes ?? {}), pilotErrorCode: code, pilotErrorDiag: diag.slice(0, 250) };
}
