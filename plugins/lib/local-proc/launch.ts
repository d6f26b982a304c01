import type { Json, JsonObject, WorkerSpec } from '../../../src/plugins/types';
import { readFedJobs, type FedJob } from './job-spec';
import type { PayloadStep } from './wrapper';

/** Environment variable carrying a payload's token: how its processes are recognised later. */
export const TOKEN_VAR = 'HARVESTER_LOCALPROC_TOKEN';

/** The default command: the job's transformation with its parameters, as a pilot would run it. */
export const DEFAULT_EXECUTABLE = '{transformation} {jobPars}';

export interface LaunchOptions {
  /** Command template; `{name}` takes a job param or a worker field (workerID, accessPoint, computingSite, nCore, harvesterID, PandaID). */
  executable?: string;
  jobSpecFiles: readonly string[];
  inheritEnv: readonly string[];
  env: JsonObject;
  harvesterID: string;
  /** The harvester's own environment (inherited variables are taken from here). */
  parentEnv: NodeJS.ProcessEnv;
}

export interface LaunchPlan {
  steps: PayloadStep[];
  env: Record<string, string>;
}

/** Thrown for a worker that can never be started as configured (the submission fails permanently). */
export class LaunchError extends Error {
  override readonly name = 'LaunchError';
}

function scalar(v: Json | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Fills `{name}` placeholders; `{{` and `}}` are literal braces. An unknown name is an error, not an empty string. */
export function fillTemplate(template: string, values: Readonly<Record<string, string | undefined>>, what: string): string {
  return template.replace(/\{\{|\}\}|\{(\w+)\}/g, (m, name: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const v = values[name as string];
    if (v === undefined) throw new LaunchError(`${what}: placeholder {${name}} has no value (not a job param nor a worker field)`);
    return v;
  });
}

function workerValues(w: WorkerSpec, harvesterID: string): Record<string, string | undefined> {
  return {
    workerID: String(w.workerID),
    accessPoint: w.accessPoint ?? undefined,
    computingSite: w.computingSite,
    nCore: w.nCore === null || w.nCore === undefined ? undefined : String(w.nCore),
    harvesterID,
  };
}

function commandFor(job: FedJob | null, w: WorkerSpec, o: LaunchOptions): string {
  const what = job ? `worker ${w.workerID} PandaID ${job.PandaID ?? '?'}` : `worker ${w.workerID}`;
  const values: Record<string, string | undefined> = {};
  if (job) for (const [k, v] of Object.entries(job.params)) values[k] = scalar(v);
  Object.assign(values, workerValues(w, o.harvesterID));
  if (job?.PandaID !== null && job?.PandaID !== undefined) values.PandaID = String(job.PandaID);
  if (o.executable === undefined) {
    if (!values.transformation) throw new LaunchError(`${what}: the job has no transformation and the submitter no executable`);
    values.jobPars ??= '';
  }
  const command = fillTemplate(o.executable ?? DEFAULT_EXECUTABLE, values, what).trim();
  if (!command) throw new LaunchError(`${what}: the payload command is empty`);
  return command;
}

/**
 * What to run for a worker and with which environment. Jobs come from the job
 * spec files the messenger wrote into the access point (the submitter plugin
 * receives workers, not jobs); a worker without jobs (pull mode) needs the
 * `executable` attribute.
 * @throws LaunchError when the worker cannot be run as configured
 */
export function planLaunch(w: WorkerSpec, accessPoint: string, token: string, o: LaunchOptions): LaunchPlan {
  let jobs: FedJob[];
  try {
    jobs = readFedJobs(accessPoint, w.pandaIDs ?? [], o.jobSpecFiles);
  } catch (err) {
    throw new LaunchError(`worker ${w.workerID}: ${(err as Error).message}`);
  }
  if (jobs.length === 0 && w.hasJob === 1 && (w.pandaIDs?.length ?? 0) > 0) {
    throw new LaunchError(`worker ${w.workerID}: no job spec (${o.jobSpecFiles.join(', ')}) in ${accessPoint}`);
  }
  if (jobs.length === 0 && o.executable === undefined) {
    throw new LaunchError(`worker ${w.workerID}: no job spec (${o.jobSpecFiles.join(', ')}) in ${accessPoint} and no executable attribute for job-less workers`);
  }
  const steps: PayloadStep[] = jobs.length
    ? jobs.map((j) => ({ PandaID: j.PandaID, dir: j.dir, command: commandFor(j, w, o) }))
    : [{ PandaID: null, dir: accessPoint, command: commandFor(null, w, o) }];

  // Only listed variables of harvester's own environment: it may hold DB passwords and tokens.
  const env: Record<string, string> = {};
  for (const name of o.inheritEnv) {
    const v = o.parentEnv[name];
    if (v !== undefined) env[name] = v;
  }
  for (const [k, v] of Object.entries(o.env)) {
    const s = scalar(v);
    if (s !== undefined) env[k] = s;
  }
  const first = steps[0].PandaID;
  Object.assign(env, {
    HARVESTER_ID: o.harvesterID,
    HARVESTER_WORKER_ID: String(w.workerID),
    HARVESTER_ACCESS_POINT: accessPoint,
    PANDA_JSID: `harvester-${o.harvesterID}`,
    computingSite: w.computingSite,
    pandaQueueName: w.computingSite,
    ...(w.resourceType ? { resourceType: w.resourceType } : {}),
    ...(w.jobType ? { jobType: w.jobType } : {}),
    ...(first !== null ? { PandaID: String(first) } : {}),
    [TOKEN_VAR]: token,
  });
  return { steps, env };
}
