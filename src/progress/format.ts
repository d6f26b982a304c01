import { JOB_STATE_ORDER, WORKER_STATE_ORDER, type Counts, type LocalCounts, type UpstreamCounts } from './counts';

/** `a=1 b=2` in reading order; states with no rows are left out, except `always` ones. */
export function formatCounts(counts: Counts, order: readonly string[], always: readonly string[] = []): string {
  const keys = [...order.filter((k) => k in counts || always.includes(k)), ...Object.keys(counts).filter((k) => !order.includes(k)).sort()];
  return keys.length ? keys.map((k) => `${k}=${counts[k] ?? 0}`).join(' ') : 'none';
}

/**
 * The progress line, e.g.
 * `progress: jobs preparing=2 running=4 finished=12 | workers running=4 finished=12 | upstream finished 12/20`
 */
export function progressLine(local: LocalCounts, upstream: UpstreamCounts | undefined): string {
  const parts = [`jobs ${formatCounts(local.jobs, JOB_STATE_ORDER)}`, `workers ${formatCounts(local.workers, WORKER_STATE_ORDER)}`];
  if (upstream) {
    const finished = upstream.byStatus.finished ?? 0;
    const failed = upstream.byStatus.failed ?? 0;
    parts.push(`upstream finished ${finished}/${upstream.total}${failed ? ` failed ${failed}` : ''}`);
  }
  return `progress: ${parts.join(' | ')}`;
}

/** The one line said when every upstream job is final. */
export function allDoneLine(upstream: UpstreamCounts, outputDirs: readonly string[], already: boolean, stateFile: string): string {
  const finished = upstream.byStatus.finished ?? 0;
  const others = Object.entries(upstream.byStatus).filter(([s, n]) => s !== 'finished' && n > 0).map(([s, n]) => `${n} ${s}`);
  const tally = others.length ? `${finished} finished, ${others.join(', ')}` : `${finished} finished`;
  const where = outputDirs.length ? `; outputs in ${outputDirs.map((d) => (d.includes('${') ? d : `${d}/<PandaID>/`)).join(', ')}` : '';
  if (already) {
    const state = stateFile ? ` (kept in ${stateFile})` : '';
    return `all ${upstream.total} jobs of the embedded WMS had already finished before this start${state}: ${tally}${where}; nothing to do. ` +
      'To run them again, stop harvester and delete the WMS state file and the database (the demo: rm -rf var). Idle until Ctrl-C';
  }
  return `all ${upstream.total} jobs done upstream: ${tally}${where}. Harvester keeps running idle; Ctrl-C stops it`;
}
