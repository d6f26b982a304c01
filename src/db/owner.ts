import os from 'node:os';

/**
 * Lock owner ids name agent, host, pid, PM2 instance and thread so an operator
 * can tell from a row who holds it, and so a process can release exactly its own
 * rows at shutdown (prefix `<agent>-<host>_<pid>`).
 *
 * Format: `<agent>-<host>_<pid>[i<instance>]-<thread>`; the host is the short
 * host name as in the original's `get_pid()`.
 */
export function processTag(): string {
  const host = os.hostname().split('.')[0];
  const inst = process.env.NODE_APP_INSTANCE;
  return `${host}_${process.pid}${inst !== undefined && inst !== '' ? `i${inst}` : ''}`;
}

export function ownerId(agent: string, thread: number | string): string {
  return `${agent}-${processTag()}-${thread}`;
}

/** SQL LIKE pattern that matches every owner id of this process, any agent, any thread. */
export function processOwnerPattern(): string {
  return `%-${processTag()}-%`;
}
