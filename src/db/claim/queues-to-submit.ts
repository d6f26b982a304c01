import type { PqColumn } from '../columns';
import { secondsBefore } from '../dates';
import type { SqlExecutor } from '../sql';
import { and, inList } from './common';
import { fragment, releaseRows, type Fragment, type ReleaseResult, type ReleaseRow } from './engine';
import { PQ_SUMMARY, toPandaQueueRow, type PandaQueueRow } from './queues';

export interface ClaimQueuesToSubmitInput {
  owner: string;
  /** Seconds before an unlocked site is looked at again (`[submitter] lookupTime`). */
  lookupTime: number;
  /** Seconds after which a site lock is abandoned (`[submitter] queueLockInterval`). */
  queueLockInterval: number;
  /** Only these sites (siteName); all when omitted. */
  siteNames?: readonly string[];
  now?: Date;
}

export interface SiteClaim {
  owner: string;
  claimedAt: Date;
  siteName: string;
  /** Every pq_table row of the site (queueName × resourceType × jobType). */
  queues: PandaQueueRow[];
}

function claimable(now: Date, input: ClaimQueuesToSubmitInput): Fragment {
  return fragment(
    'submitTime IS NULL OR (lockedBy IS NOT NULL AND submitTime < ?) OR (lockedBy IS NULL AND submitTime < ?)',
    secondsBefore(now, input.queueLockInterval),
    secondsBefore(now, input.lookupTime),
  );
}

/**
 * The per-site submission lock (pq_table `lockedBy` + `submitTime`): claims ONE
 * site, all its rows or none. Unlike the original (whose UPDATE re-checked only
 * "older than lookupTime", so a second submitter could steal a site locked a
 * minute ago and over-submit), every row must be free or stale.
 * sqlite: one UPDATE whose subquery picks the site; MariaDB: candidate sites,
 * then `FOR UPDATE NOWAIT` on all rows of one, re-checked, in one transaction.
 */
export async function claimQueuesToSubmit(sql: SqlExecutor, input: ClaimQueuesToSubmitInput): Promise<SiteClaim | null> {
  const now = input.now ?? new Date();
  const ok = claimable(now, input);
  const filter = and(fragment('siteName IS NOT NULL'), input.siteNames && input.siteNames.length > 0 && inList('siteName', input.siteNames));
  const cols = PQ_SUMMARY.join(', ');
  const pick = `SELECT siteName FROM pq_table WHERE ${filter.sql} GROUP BY siteName
                HAVING SUM(CASE WHEN ${ok.sql} THEN 0 ELSE 1 END) = 0 ORDER BY MIN(submitTime)`;

  if (sql.dialect === 'sqlite') {
    const rows = await sql.all(
      `UPDATE pq_table SET submitTime = ?, lockedBy = ? WHERE siteName = (${pick} LIMIT 1) RETURNING ${cols}`,
      [now, input.owner, ...filter.params, ...ok.params],
    );
    if (rows.length === 0) return null;
    const queues = rows.map(toPandaQueueRow).sort((a, b) => a.uniqueName.localeCompare(b.uniqueName));
    return { owner: input.owner, claimedAt: now, siteName: String(queues[0].siteName), queues };
  }

  return sql.transaction(async (tx) => {
    const candidates = await tx.all<{ siteName: string }>(`${pick} LIMIT 5`, [...filter.params, ...ok.params]);
    for (const { siteName } of candidates) {
      let rows;
      try {
        rows = await tx.all(`SELECT ${cols}, CASE WHEN ${ok.sql} THEN 1 ELSE 0 END AS claimable FROM pq_table WHERE siteName = ? ORDER BY uniqueName FOR UPDATE NOWAIT`, [...ok.params, siteName]);
      } catch (err) {
        // Another submitter is claiming this site right now: try the next one.
        if ((err as { errno?: number }).errno === 1205) continue;
        throw err;
      }
      if (rows.length === 0 || rows.some((r) => Number(r.claimable) !== 1)) continue;
      await tx.run('UPDATE pq_table SET submitTime = ?, lockedBy = ? WHERE siteName = ?', [now, input.owner, siteName]);
      return { owner: input.owner, claimedAt: now, siteName, queues: rows.map(toPandaQueueRow) };
    }
    return null;
  });
}

/**
 * Submitter site release (`release_site`): `lockedBy = NULL` plus per-row
 * results (e.g. `nNewWorkers`, or `submitTime` in the future for
 * minSubmissionInterval), where `lockedBy = owner`. Ids are uniqueNames.
 */
export function releaseQueuesFromSubmitter(sql: SqlExecutor, owner: string, rows: ReadonlyArray<ReleaseRow<string, PqColumn>>): Promise<ReleaseResult<string>> {
  return releaseRows(sql, { table: 'pq_table', pk: 'uniqueName', owned: fragment('lockedBy = ?', owner), clear: { lockedBy: null } }, rows);
}
