/**
 * command_table: commands from PanDA are stored before they are executed, so
 * one fetched just before a crash is still executed (and acknowledged) after
 * the restart. `processed = 1` marks executed; rows go once acknowledged.
 */
import { chunks, placeholders } from '../../db/repo/sql-util';
import type { SqlExecutor } from '../../db/sql';
import type { PandaCommand } from '../../plugins/communicator';
import type { Json } from '../../plugins/types';

/** The original's receivers by command prefix (facts §2.11); kept for operators reading command_table. */
const RECEIVERS: ReadonlyArray<[string, string]> = [
  ['REPORT_WORKER_STATS', 'propagator'],
  ['SET_N_WORKERS_JOBTYPE', 'submitter'],
  ['KILL_WORKERS', 'sweeper'],
  ['SYNC_WORKERS_KILL', 'sweeper'],
];

/** The receiver of a command, undefined for a command this harvester does not know. */
export function receiverOf(command: string): string | undefined {
  const name = command.split(':')[0];
  return RECEIVERS.find(([prefix]) => prefix === name)?.[1];
}

export interface StoredCommand {
  command_id: number;
  command: string;
  params: Json;
  ack_requested: boolean;
  processed: boolean;
}

/** Stores commands (a command already stored, e.g. handed out twice, is kept as it is). */
export async function storeCommands(sql: SqlExecutor, commands: readonly PandaCommand[]): Promise<void> {
  const insert = sql.dialect === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
  for (const c of commands) {
    await sql.run(
      `${insert} INTO command_table (command_id, command, receiver, params, ack_requested, processed) VALUES (?, ?, ?, ?, ?, 0)`,
      [c.command_id, c.command, receiverOf(c.command) ?? null, JSON.stringify(c.params ?? null), c.ack_requested ? 1 : 0],
    );
  }
}

function parseParams(text: unknown, id: number): Json {
  if (text === null || text === undefined || text === '') return null;
  try {
    return JSON.parse(String(text)) as Json;
  } catch (err) {
    throw new Error(`command_table command_id=${id}: params is not JSON (${(err as Error).message})`);
  }
}

/** Every stored command, oldest first: unprocessed ones to execute, processed ones waiting for their ack. */
export async function loadStoredCommands(sql: SqlExecutor): Promise<StoredCommand[]> {
  const rows = await sql.all<{ command_id: number; command: string; params: unknown; ack_requested: number | null; processed: number | null }>(
    'SELECT command_id, command, params, ack_requested, processed FROM command_table ORDER BY command_id',
  );
  return rows.map((r) => ({
    command_id: Number(r.command_id),
    command: String(r.command),
    params: parseParams(r.params, Number(r.command_id)),
    ack_requested: Number(r.ack_requested ?? 0) === 1,
    processed: Number(r.processed ?? 0) === 1,
  }));
}

export async function markCommandsProcessed(sql: SqlExecutor, ids: readonly number[]): Promise<void> {
  for (const part of chunks(ids)) await sql.run(`UPDATE command_table SET processed = 1 WHERE command_id IN (${placeholders(part.length)})`, part);
}

export async function deleteCommands(sql: SqlExecutor, ids: readonly number[]): Promise<void> {
  for (const part of chunks(ids)) await sql.run(`DELETE FROM command_table WHERE command_id IN (${placeholders(part.length)})`, part);
}
