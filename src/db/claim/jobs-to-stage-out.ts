import type { JobColumn } from '../columns';
import type { SqlExecutor } from '../sql';
import { and, freeOrStale, inList, JOB_SUMMARY, toJobSummary, type Claim, type JobSummary, type OwnerClaimInput, siteFilter } from './common';
import { claimRows, fragment, releaseRows, type Fragment, type ReleaseResult, type ReleaseRow } from './engine';

/** The stager's four passes (facts §2.6). */
export type StageOutPass = 'check' | 'trigger' | 'zip' | 'postZip';

/** hasOutFile flags (facts §5.5). */
const HO = { hasOutput: 1, hasZipOutput: 2, hasTransfer: 3, hasPostZipOutput: 4 } as const;

/** Candidates: `(subStatus = X OR hasOutFile = flag) AND hasOutFile not in excluded` (jobs still running can stage event outputs). */
function passPredicate(pass: StageOutPass): Fragment {
  const [subStatus, flag, excluded]: [string, number, number[]] =
    pass === 'check' ? ['transferring', HO.hasTransfer, []]
      : pass === 'trigger' ? ['to_transfer', HO.hasOutput, [HO.hasZipOutput, HO.hasPostZipOutput]]
        : pass === 'zip' ? ['to_transfer', HO.hasZipOutput, [HO.hasOutput, HO.hasPostZipOutput]]
          : ['to_transfer', HO.hasPostZipOutput, []];
  const base = fragment('subStatus = ? OR hasOutFile = ?', subStatus, flag);
  // NULL hasOutFile must not be excluded by NOT IN (NULL NOT IN (…) is NULL, i.e. false).
  return excluded.length ? and(base, { sql: `hasOutFile IS NULL OR NOT (${inList('hasOutFile', excluded).sql})`, params: excluded }) : base;
}

export interface ClaimJobsToStageOutInput extends OwnerClaimInput {
  pass: StageOutPass;
  /** checkInterval, triggerInterval or zipInterval, seconds. */
  interval: number;
  computingSites?: readonly string[];
}

/** Stager claim on `stagerLock` + `stagerTime`. */
export async function claimJobsToStageOut(sql: SqlExecutor, input: ClaimJobsToStageOutInput): Promise<Claim<JobSummary>> {
  const now = input.now ?? new Date();
  const rows = await claimRows(sql, {
    table: 'job_table',
    pk: 'PandaID',
    columns: JOB_SUMMARY,
    where: and(passPredicate(input.pass), input.computingSites && siteFilter(sql.dialect, input.computingSites)),
    claimable: freeOrStale('stagerTime', 'stagerLock', now, input.interval, input.lockInterval),
    set: { stagerLock: input.owner, stagerTime: now },
    orderBy: 'stagerTime',
    limit: input.limit,
  });
  return { owner: input.owner, claimedAt: now, rows: rows.map(toJobSummary) };
}

/** Stager release: results + `stagerLock = NULL` where `stagerLock = owner`. */
export function releaseJobsFromStager(sql: SqlExecutor, owner: string, rows: ReadonlyArray<ReleaseRow<number, JobColumn>>): Promise<ReleaseResult<number>> {
  return releaseRows(sql, { table: 'job_table', pk: 'PandaID', owned: fragment('stagerLock = ?', owner), clear: { stagerLock: null } }, rows);
}
