/** Reads the job fetcher needs (no locks: counts and a lookup). */
import type { SqlExecutor, SqlParam } from '../../db/sql';
import { chunks, placeholders } from '../../db/repo/sql-util';
import type { LocalJobCounts } from './limits';

/** Local jobs per queue in `starting` and `running`, with their cores. */
export async function countLocalJobs(sql: SqlExecutor, queueNames: readonly string[]): Promise<Map<string, LocalJobCounts>> {
  const out = new Map<string, LocalJobCounts>(queueNames.map((q) => [q, { starting: 0, startingCores: 0, running: 0, runningCores: 0 }]));
  if (queueNames.length === 0) return out;
  const rows = await sql.all<{ computingSite: string; status: string; n: number; cores: number | null }>(
    `SELECT computingSite, status, COUNT(*) AS n, SUM(COALESCE(nCore, 1)) AS cores FROM job_table
      WHERE computingSite IN (${placeholders(queueNames.length)}) AND status IN ('starting', 'running')
      GROUP BY computingSite, status`,
    [...queueNames],
  );
  for (const r of rows) {
    const c = out.get(String(r.computingSite));
    if (!c) continue;
    if (r.status === 'starting') {
      c.starting = Number(r.n);
      c.startingCores = Number(r.cores ?? 0);
    } else {
      c.running = Number(r.n);
      c.runningCores = Number(r.cores ?? 0);
    }
  }
  return out;
}

/** File statuses meaning "some starting job is bringing this file in already". */
const IN_FLIGHT = ['ready', 'preparing', 'to_prepare', 'triggered'];

/**
 * Which of `lfns` another `starting` job already has as input at `endpoint`
 * in an in-flight status (the original's get_file_status per LFN, in bulk).
 */
export async function inputFilesInUse(sql: SqlExecutor, lfns: readonly string[], endpoint: string | null): Promise<Set<string>> {
  const found = new Set<string>();
  for (const part of chunks([...new Set(lfns)])) {
    const params: SqlParam[] = [...part, ...IN_FLIGHT];
    const endpointSql = endpoint === null ? 'f.endpoint IS NULL' : 'f.endpoint = ?';
    if (endpoint !== null) params.push(endpoint);
    const rows = await sql.all<{ lfn: string }>(
      `SELECT DISTINCT f.lfn FROM file_table f JOIN job_table j ON j.PandaID = f.PandaID
        WHERE f.lfn IN (${placeholders(part.length)}) AND f.fileType = 'input'
          AND f.status IN (${placeholders(IN_FLIGHT.length)}) AND ${endpointSql} AND j.status = 'starting'`,
      params,
    );
    for (const r of rows) found.add(String(r.lfn));
  }
  return found;
}
