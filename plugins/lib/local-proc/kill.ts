import { delay } from '../delay';
import { formatBatchID, isAlive, type ProcessRef } from './batch-id';
import { TOKEN_VAR } from './launch';
import { groupMembers } from './proc';

export interface KillOutcome {
  /** Something of ours was running and got a signal. */
  signalled: boolean;
  /** SIGKILL was needed after the grace period. */
  forced: boolean;
  diag: string;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    // ESRCH: the group emptied meanwhile — the goal.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Is anything of the payload's group left? While the leader (the wrapper)
 * lives the group is certainly ours; once it is gone, members count only if
 * they carry our token (`token` null: only the leader can be checked).
 */
function groupLeft(ref: ProcessRef, token: string | null, ours: boolean): boolean {
  if (isAlive(ref)) return true;
  // Verified ours at the start (leader alive or token match): any live member of the group is still ours.
  return groupMembers(ref.pid, ref.startTime, TOKEN_VAR, ours ? null : token).length > 0;
}

/**
 * Kills a payload's whole process group: SIGTERM, then SIGKILL to whatever is
 * left after `graceMs`. Touches the group only when it is provably ours — the
 * leader alive with our start time, or members carrying our token — so a
 * reused pid or group id is never signalled.
 * @throws Error with pid and batchID when a signal is refused (EPERM)
 */
export async function killGroup(ref: ProcessRef, token: string | null, graceMs: number): Promise<KillOutcome> {
  const batchID = formatBatchID(ref);
  const leader = isAlive(ref);
  const members = leader || token === null ? [] : groupMembers(ref.pid, ref.startTime, TOKEN_VAR, token);
  if (!leader && members.length === 0) return { signalled: false, forced: false, diag: `payload ${batchID} already ended` };
  try {
    signalGroup(ref.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && groupLeft(ref, token, true)) await delay(100);
    if (!groupLeft(ref, token, true)) return { signalled: true, forced: false, diag: `payload group ${ref.pid} (${batchID}) ended after SIGTERM` };
    signalGroup(ref.pid, 'SIGKILL');
    return { signalled: true, forced: true, diag: `payload group ${ref.pid} (${batchID}) ignored SIGTERM for ${graceMs} ms: SIGKILLed` };
  } catch (err) {
    throw new Error(`cannot signal process group ${ref.pid} (batchID ${batchID}): ${(err as Error).message}`, { cause: err });
  }
}
