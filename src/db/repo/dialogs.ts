import type { SqlExecutor } from '../sql';

export type DialogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

export interface DialogMessage {
  /** Agent or module that speaks (the original's moduleName). */
  moduleName: string;
  /** Queue, worker or job the message is about (≤ 100 characters). */
  identifier?: string | null;
  level: DialogLevel;
  message: string;
}

/**
 * Queues a dialog message for PanDA (diag_table); the propagator sends and
 * deletes it. Messages are truncated to the column sizes of the original.
 */
export async function addDialogMessage(sql: SqlExecutor, m: DialogMessage, now = new Date()): Promise<void> {
  await sql.run(
    'INSERT INTO diag_table (moduleName, identifier, creationTime, messageLevel, diagMessage) VALUES (?, ?, ?, ?, ?)',
    [m.moduleName, (m.identifier ?? '').slice(0, 100), now, m.level, m.message.slice(0, 500)],
  );
}
