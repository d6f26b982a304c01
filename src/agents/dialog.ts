/**
 * Dialog messages (diag_table), the way the original's LogWrapper files every
 * WARNING and above: the propagator ships them to PanDA. As there, rows older
 * than 60 minutes are purged on each insert so the table cannot grow without bound.
 */
import { secondsBefore } from '../db/dates';
import type { SqlExecutor } from '../db/sql';

export type DialogLevel = 'WARNING' | 'ERROR' | 'CRITICAL';

const PURGE_AFTER_SECONDS = 60 * 60;
/** diag_table.diagMessage is varchar(500), identifier varchar(100). */
const MAX_MESSAGE = 500;
const MAX_IDENTIFIER = 100;

export async function addDialogMessage(
  sql: SqlExecutor,
  msg: { moduleName: string; identifier: string | null; level: DialogLevel; message: string },
  now: Date = new Date(),
): Promise<void> {
  await sql.run('DELETE FROM diag_table WHERE creationTime < ?', [secondsBefore(now, PURGE_AFTER_SECONDS)]);
  await sql.run('INSERT INTO diag_table (moduleName, identifier, creationTime, messageLevel, diagMessage) VALUES (?, ?, ?, ?, ?)', [
    msg.moduleName,
    msg.identifier === null ? null : msg.identifier.slice(0, MAX_IDENTIFIER),
    now,
    msg.level,
    msg.message.slice(0, MAX_MESSAGE),
  ]);
}
