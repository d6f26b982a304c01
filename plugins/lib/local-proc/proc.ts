import * as fs from 'node:fs';

/** What /proc/<pid>/stat tells about one process (Linux only). */
export interface ProcStat {
  pid: number;
  /** One-letter state: R, S, D, Z (zombie), X (dead), T, ... */
  state: string;
  /** Process group id. */
  pgrp: number;
  /** Session id (a detached payload's wrapper is its session's leader). */
  session: number;
  /**
   * Field 22: clock ticks since boot when the process started. With the pid it
   * names a process uniquely between reboots, so a reused pid is never taken
   * for our payload.
   */
  startTime: string;
}

/**
 * Parses /proc/<pid>/stat, or null when there is no such process (or it
 * cannot be read). The command name may contain spaces and parentheses, so
 * fields are counted from the last `)`.
 */
export function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const rest = text.slice(close + 2).trim().split(/\s+/);
  if (rest.length < 20) return null;
  return { pid, state: rest[0], pgrp: Number(rest[2]), session: Number(rest[3]), startTime: rest[19] };
}

/** A zombie has exited (only its exit status waits for its parent), a dead one is going. */
export function isRunningState(state: string): boolean {
  return state !== 'Z' && state !== 'X' && state !== 'x';
}

/** All pids currently in /proc. */
export function listPids(): number[] {
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  return names.filter((n) => /^\d+$/.test(n)).map(Number);
}

/** The value of one variable in /proc/<pid>/environ, or null when absent or unreadable (another user's process). */
export function readEnvVar(pid: number, name: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return null;
  }
  const prefix = `${name}=`;
  for (const entry of text.split('\0')) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  return null;
}

/**
 * Live (non-zombie) members of our payload's process group `pgid`, for when
 * the group leader (the wrapper) is gone but children may linger. A pgid can
 * be reused once our group empties, so a process counts only if it is in the
 * group and session `pgid`, started no earlier than our leader, and carries
 * our payload's token in its environment (`tokenVar`=`token`; unreadable
 * environments — other users — never match, we could not signal them anyway).
 * `token` null skips that check, for a group already known to be ours.
 */
export function groupMembers(pgid: number, minStartTime: string, tokenVar: string, token: string | null): ProcStat[] {
  const min = BigInt(minStartTime);
  const out: ProcStat[] = [];
  for (const pid of listPids()) {
    const st = readProcStat(pid);
    if (!st || st.pgrp !== pgid || st.session !== pgid || !isRunningState(st.state)) continue;
    if (BigInt(st.startTime) < min) continue;
    if (token !== null && readEnvVar(pid, tokenVar) !== token) continue;
    out.push(st);
  }
  return out;
}
