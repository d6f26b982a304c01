/**
 * One call from sources to a validated result: failed sources become problems,
 * the rest are merged (merge.ts) and validated as a whole (validate.ts). Pure:
 * no database, no swapping — the mapper decides what to serve.
 */
import { mergeSources, type MergeOptions } from './merge';
import { sourceFromDocument, readSourceFile } from './sources';
import { isFailedSource, type FailedSource, type Problem, type QueueConfigSource, type SourceInput } from './types';
import { validateMerged, type QueueResult, type ValidateOptions } from './validate';

export interface LoadOptions extends ValidateOptions, MergeOptions {}

export interface LoadResult {
  readonly failedSources: readonly FailedSource[];
  /** Per queue, in first-seen order. */
  readonly queues: ReadonlyMap<string, QueueResult>;
  /** Every problem: unreadable sources, templates, queues. */
  readonly problems: readonly Problem[];
  readonly templates: readonly string[];
}

export function failedSourceProblem(s: FailedSource): Problem {
  return { severity: 'error', source: s.label, sourceKind: s.kind, queue: '', reason: s.error };
}

export async function loadQueueConfig(inputs: readonly SourceInput[], opts: LoadOptions = {}): Promise<LoadResult> {
  const failedSources = inputs.filter(isFailedSource);
  const good = inputs.filter((s): s is QueueConfigSource => !isFailedSource(s));
  const merged = mergeSources(good, opts);
  const validation = await validateMerged(merged, opts);
  const queues = new Map(validation.queues.map((q) => [q.queueName, q]));
  const problems = [
    ...failedSources.map(failedSourceProblem),
    ...validation.queues.flatMap((q) => q.problems),
    ...validation.problems,
  ];
  return { failedSources, queues, problems, templates: [...merged.templates.keys()] };
}

/** Reads and validates files (the `qconf validate` dry run); later files act as remote overrides when `kind` says so. */
export async function loadQueueConfigFiles(
  files: readonly { path: string; kind?: 'file' | 'remote' }[],
  opts: LoadOptions = {},
): Promise<LoadResult> {
  const inputs = await Promise.all(files.map((f) => readSourceFile(f.path, f.kind ?? 'file')));
  return loadQueueConfig(inputs, opts);
}

export { sourceFromDocument, readSourceFile };
