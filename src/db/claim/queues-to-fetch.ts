import { secondsBefore } from '../dates';
import { placeholders, type SqlExecutor } from '../sql';
import type { Claim } from './common';
import { fragment } from './engine';
import { PQ_SUMMARY, toPandaQueueRow, type PandaQueueRow } from './queues';

export interface ClaimQueuesToFetchInput {
  /** Number of queues (`[jobfetcher] nQueues`). */
  limit: number;
  /** Seconds between fetches for the same queue (`[jobfetcher] lookupTime`). */
  lookupTime: number;
  /** Only this queue (`harvester agent jobfetcher --once --queue Q`). */
  queueName?: string;
  now?: Date;
}

/**
 * JobFetcher claim on pq_table `jobFetchTime` (no owner; normally no release: the time
 * is the "fetched recently" mark). Claims whole queues: every pq row of up to
 * `limit` queueNames whose jobFetchTime is NULL or older than lookupTime.
 */
export async function claimQueuesToFetch(sql: SqlExecutor, input: ClaimQueuesToFetchInput): Promise<Claim<PandaQueueRow>> {
  const now = input.now ?? new Date();
  const notRecent = fragment('jobFetchTime IS NULL OR jobFetchTime < ?', secondsBefore(now, input.lookupTime));
  const ok = input.queueName === undefined ? notRecent : fragment(`(${notRecent.sql}) AND queueName = ?`, ...notRecent.params, input.queueName);
  const cols = PQ_SUMMARY.join(', ');
  if (input.limit <= 0) return { owner: null, claimedAt: now, rows: [] };

  if (sql.dialect === 'sqlite') {
    const rows = await sql.all(
      `UPDATE pq_table SET jobFetchTime = ?
        WHERE queueName IN (SELECT queueName FROM pq_table WHERE queueName IS NOT NULL AND (${ok.sql})
                            GROUP BY queueName ORDER BY MIN(jobFetchTime) LIMIT ?)
          AND (${ok.sql})
        RETURNING ${cols}`,
      [now, ...ok.params, input.limit, ...ok.params],
    );
    return { owner: null, claimedAt: now, rows: rows.map(toPandaQueueRow) };
  }

  return sql.transaction(async (tx) => {
    // pq_table is small (queues × resource types): lock every due row, keep the first `limit` queues.
    const due = await tx.all(`SELECT ${cols} FROM pq_table WHERE queueName IS NOT NULL AND (${ok.sql}) ORDER BY jobFetchTime FOR UPDATE SKIP LOCKED`, [...ok.params]);
    const names: string[] = [];
    for (const r of due) if (!names.includes(String(r.queueName)) && names.length < input.limit) names.push(String(r.queueName));
    const rows = due.filter((r) => names.includes(String(r.queueName)));
    if (rows.length === 0) return { owner: null, claimedAt: now, rows: [] };
    const ids = rows.map((r) => String(r.uniqueName));
    await tx.run(`UPDATE pq_table SET jobFetchTime = ? WHERE uniqueName IN (${placeholders(ids.length)})`, [now, ...ids]);
    return { owner: null, claimedAt: now, rows: rows.map(toPandaQueueRow) };
  });
}

/**
 * Gives queues back (their fetch did not reach upstream) so the next cycle asks
 * again instead of waiting lookupTime: jobFetchTime = NULL where it is still
 * this claim's time (a newer claim by another thread is left alone).
 */
export async function releaseQueuesToFetch(sql: SqlExecutor, claimedAt: Date, queueNames: readonly string[]): Promise<number> {
  if (queueNames.length === 0) return 0;
  const res = await sql.run(
    `UPDATE pq_table SET jobFetchTime = NULL WHERE queueName IN (${placeholders(queueNames.length)}) AND jobFetchTime = ?`,
    [...queueNames, claimedAt],
  );
  return res.changes;
}
