/**
 * The propagator's dialog step (facts §2.2 step 8): up to maxDialogs
 * diag_table messages go to PanDA; sent ones are deleted, the others given
 * back for the next cycle.
 */
import { claimDialogsToSend, deleteSentDialogs, releaseDialogs } from '../../db/claim';
import type { AgentContext } from '../agent';

export async function sendDialogs(ctx: AgentContext): Promise<{ sent: number; unsent: number }> {
  const { maxDialogs, lockInterval } = ctx.config.propagator;
  const sql = ctx.db.sql;
  const claim = await claimDialogsToSend(sql, { limit: maxDialogs, lockInterval });
  if (claim.rows.length === 0) return { sent: 0, unsent: 0 };
  const ids = claim.rows.map((d) => d.diagID);
  const res = await ctx.services.upstream.sendDialogs(claim.rows.map((d) => ({
    diagID: d.diagID,
    moduleName: d.moduleName ?? 'harvester',
    identifier: d.identifier,
    creationTime: d.creationTime ?? claim.claimedAt,
    messageLevel: d.messageLevel ?? 'INFO',
    diagMessage: d.diagMessage ?? '',
  })));
  if (res.ok) return { sent: await deleteSentDialogs(sql, claim.claimedAt, ids), unsent: 0 };
  await releaseDialogs(sql, claim.claimedAt, ids);
  ctx.log.warn({ dialogs: ids.length, diag: res.diag }, 'sending dialog messages failed; retrying next cycle');
  return { sent: 0, unsent: ids.length };
}
