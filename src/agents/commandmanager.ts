import { getProcessLock } from '../db/process-lock';
import type { Agent, AgentContext, CycleResult } from './agent';
import {
  deleteCommands, loadStoredCommands, markCommandsProcessed, receiverOf, storeCommands,
} from './commandmanager/command-store';
import { executeCommand } from './commandmanager/execute';
import { HEARTBEAT_INTERVAL_S, startupHeartbeat } from './commandmanager/heartbeat';

/** Upper bound of getCommands rounds in one cycle (a server that always fills the bulk must not pin the loop). */
const MAX_ROUNDS = 50;

/**
 * The command manager (facts §2.11). Under the process lock `commandmanager`
 * (at most one run per sleepTime across processes): heartbeats upstream (a
 * startup one with this process's start time and version, then every 10
 * minutes), fetches commands in bulks of commands_bulk_size while full bulks
 * come back, stores them in command_table, carries them out (KILL_WORKERS,
 * SYNC_WORKERS_KILL → workers marked to kill; SET_N_WORKERS_JOBTYPE →
 * pq_table nNewWorkers; REPORT_WORKER_STATS → worker statistics sent),
 * acknowledges those that asked for it and deletes them.
 */
export class CommandManager implements Agent {
  readonly name = 'commandmanager';
  private readonly startTime = new Date();
  private lastHeartbeatMs: number | undefined;

  async cycle(ctx: AgentContext): Promise<CycleResult> {
    const counts = { lockedOut: 0, heartbeats: 0, fetched: 0, unknown: 0, executed: 0, failed: 0, acked: 0 };
    const sql = ctx.db.sql;
    if (!(await getProcessLock(sql, 'commandmanager', ctx.owner, ctx.config.commandmanager.sleepTime))) {
      counts.lockedOut = 1;
      return counts;
    }
    counts.heartbeats = await this.heartbeat(ctx);
    await this.fetch(ctx, counts);
    await this.executeAndAck(ctx, counts);
    return counts;
  }

  private async heartbeat(ctx: AgentContext): Promise<number> {
    const now = Date.now();
    if (this.lastHeartbeatMs !== undefined && now - this.lastHeartbeatMs < HEARTBEAT_INTERVAL_S * 1000) return 0;
    const data = this.lastHeartbeatMs === undefined ? startupHeartbeat(this.startTime, ctx.services.queueConfig.getActiveQueues().values()) : {};
    const res = await ctx.services.upstream.heartbeat(data);
    if (!res.ok) {
      ctx.log.warn({ diag: res.diag }, 'heartbeat failed; retrying next cycle');
      return 0;
    }
    this.lastHeartbeatMs = now;
    return 1;
  }

  private async fetch(ctx: AgentContext, counts: { fetched: number; unknown: number }): Promise<void> {
    const bulk = ctx.config.commandmanager.commands_bulk_size;
    for (let round = 0; round < MAX_ROUNDS && !ctx.signal.aborted; round++) {
      const commands = await ctx.services.upstream.getCommands(bulk);
      if (commands.length === 0) break;
      const known = commands.filter((c) => receiverOf(c.command) !== undefined);
      for (const c of commands.filter((x) => receiverOf(x.command) === undefined)) {
        // As the original: dropped, and not acknowledged — PanDA's operator sees it was never done.
        ctx.log.warn({ command_id: c.command_id, command: c.command }, 'unknown command from upstream dropped');
      }
      await storeCommands(ctx.db.sql, known);
      counts.fetched += known.length;
      counts.unknown += commands.length - known.length;
      if (commands.length < bulk) break;
    }
  }

  private async executeAndAck(ctx: AgentContext, counts: { executed: number; failed: number; acked: number }): Promise<void> {
    const sql = ctx.db.sql;
    const stored = await loadStoredCommands(sql);
    if (stored.length === 0) return;
    const processed: number[] = [];
    for (const c of stored.filter((x) => !x.processed)) {
      const log = ctx.log.child({ command_id: c.command_id, command: c.command });
      try {
        const outcome = await executeCommand(ctx, c.command, c.params);
        if (outcome.done) {
          counts.executed++;
          processed.push(c.command_id);
          log.info({ affected: outcome.affected }, `command executed: ${outcome.detail}`);
        } else {
          counts.failed++;
          log.warn(`command not done, retrying next cycle: ${outcome.detail}`);
        }
      } catch (err) {
        counts.failed++;
        log.error({ err }, 'command failed; retrying next cycle');
      }
    }
    await markCommandsProcessed(sql, processed);
    const done = new Set(processed);
    const finished = stored.filter((c) => c.processed || done.has(c.command_id));
    const toAck = finished.filter((c) => c.ack_requested).map((c) => c.command_id);
    const noAck = finished.filter((c) => !c.ack_requested).map((c) => c.command_id);
    if (noAck.length) await deleteCommands(sql, noAck);
    if (toAck.length === 0) return;
    const bulk = ctx.config.commandmanager.commands_bulk_size;
    for (let i = 0; i < toAck.length; i += bulk) {
      const ids = toAck.slice(i, i + bulk);
      const res = await ctx.services.upstream.ackCommands(ids);
      if (!res.ok) {
        // Executed but not acknowledged: kept (processed = 1), the ack is retried next cycle.
        ctx.log.warn({ command_ids: ids, diag: res.diag }, 'acknowledging commands failed; retrying next cycle');
        return;
      }
      await deleteCommands(sql, ids);
      counts.acked += ids.length;
    }
  }
}
