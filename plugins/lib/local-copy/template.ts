import type { FileSpec, JobSpec } from '../../../src/plugins/types';

/**
 * `${name}` placeholders in the local-copy plugins' path and URL attributes.
 * Values come from the job (PanDA-controlled), so each is made safe for where
 * it lands: one path component (separators replaced) or a URL-encoded part.
 */

export type TemplateValues = Readonly<Record<string, string | number | null | undefined>>;

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Placeholders of job-level templates (`basePath`, `dstBase`). */
export const JOB_PLACEHOLDERS = ['PandaID', 'taskID', 'jobsetID', 'attemptNr', 'computingSite', 'harvesterID'] as const;
/** Placeholders of per-file templates (`sourceURL`). */
export const FILE_PLACEHOLDERS = [...JOB_PLACEHOLDERS, 'lfn', 'scope', 'dataset'] as const;

export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

/** Throws (at construction) when a template names a placeholder the plugin cannot fill. */
export function checkPlaceholders(attribute: string, template: string, allowed: readonly string[]): void {
  const unknown = placeholdersOf(template).filter((p) => !allowed.includes(p));
  if (unknown.length) {
    throw new Error(`${attribute} "${template}" uses unknown placeholder(s) ${unknown.map((u) => `\${${u}}`).join(', ')} (known: ${allowed.join(', ')})`);
  }
}

export function jobValues(job: JobSpec, harvesterID: string): TemplateValues {
  return {
    PandaID: job.PandaID, taskID: job.taskID, jobsetID: job.jobsetID, attemptNr: job.attemptNr,
    computingSite: job.computingSite, harvesterID,
  };
}

export function fileValues(job: JobSpec, f: FileSpec, harvesterID: string): TemplateValues {
  const dataset = f.fileAttributes?.dataset;
  return { ...jobValues(job, harvesterID), lfn: f.lfn, scope: f.scope, dataset: typeof dataset === 'string' ? dataset : null };
}

function expand(template: string, values: TemplateValues, encode: (v: string) => string): string {
  return template.replace(PLACEHOLDER, (_whole, name: string) => {
    const v = values[name];
    if (v === null || v === undefined || v === '') throw new Error(`placeholder \${${name}} of "${template}" has no value`);
    return encode(String(v));
  });
}

/** Replaces placeholders with values turned into single path components (`a/b` → `a_b`, `..` → `_`). */
export function expandPath(template: string, values: TemplateValues): string {
  return expand(template, values, (v) => (v === '.' || v === '..' ? '_' : v.replace(/[/\\\0]/g, '_')));
}

/** Replaces placeholders with URL-encoded values. */
export function expandURL(template: string, values: TemplateValues): string {
  return expand(template, values, encodeURIComponent);
}
