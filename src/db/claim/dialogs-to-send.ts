import { secondsBefore } from '../dates';
import { placeholders, type SqlExecutor } from '../sql';
import { date, reqNum, str, type Claim } from './common';
import { claimRows, fragment, releaseRows, type ReleaseResult } from './engine';

export interface DialogToSend {
  diagID: number;
  moduleName: string | null;
  identifier: string | null;
  creationTime: Date | null;
  messageLevel: string | null;
  diagMessage: string | null;
}

export interface ClaimDialogsToSendInput {
  /** `[propagator] maxDialogs`. */
  limit: number;
  lockInterval: number;
  now?: Date;
}

/**
 * Propagator dialog claim on diag_table `lockTime` (no owner: the original's
 * diag lockedBy is an int and unused): lockTime NULL or older than lockInterval.
 */
export async function claimDialogsToSend(sql: SqlExecutor, input: ClaimDialogsToSendInput): Promise<Claim<DialogToSend>> {
  const now = input.now ?? new Date();
  const rows = await claimRows(sql, {
    table: 'diag_table',
    pk: 'diagID',
    columns: ['moduleName', 'identifier', 'creationTime', 'messageLevel', 'diagMessage'],
    where: fragment('1 = 1'),
    claimable: fragment('lockTime IS NULL OR lockTime < ?', secondsBefore(now, input.lockInterval)),
    set: { lockTime: now },
    orderBy: 'diagID',
    limit: input.limit,
  });
  return {
    owner: null,
    claimedAt: now,
    rows: rows
      .map((r) => ({
        diagID: reqNum(r.diagID, 'diag_table.diagID'),
        moduleName: str(r.moduleName),
        identifier: str(r.identifier),
        creationTime: date(r.creationTime),
        messageLevel: str(r.messageLevel),
        diagMessage: str(r.diagMessage),
      }))
      .sort((a, b) => a.diagID - b.diagID),
  };
}

/** Deletes dialogs sent successfully, only those still held by this claim (lockTime = claimedAt). */
export async function deleteSentDialogs(sql: SqlExecutor, claimedAt: Date, diagIDs: readonly number[]): Promise<number> {
  if (diagIDs.length === 0) return 0;
  const res = await sql.run(`DELETE FROM diag_table WHERE diagID IN (${placeholders(diagIDs.length)}) AND lockTime = ?`, [...diagIDs, claimedAt]);
  return res.changes;
}

/** Gives dialogs back (send failed) so the next cycle retries them at once. */
export function releaseDialogs(sql: SqlExecutor, claimedAt: Date, diagIDs: readonly number[]): Promise<ReleaseResult<number>> {
  return releaseRows(sql, { table: 'diag_table', pk: 'diagID', owned: fragment('lockTime = ?', claimedAt), clear: { lockTime: null } }, diagIDs.map((id) => ({ id })));
}
