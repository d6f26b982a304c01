import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from '../../src/log';
import type { PluginContext } from '../../src/plugins/context';
import type { EventRange, EventsRequest, EventUpdate, Messenger, ReportedOutputFile } from '../../src/plugins/messenger';
import type { JobSpec, JsonObject, MapType, OutcomeResult, PerJob, WorkerSpec } from '../../src/plugins/types';
import { PathEscapeError, resolveInside, resolveInsideReal } from '../lib/safe-path';
import { AccessPointError, AccessPoints, type WorkerDirs } from './shared-file/access-point';
import { adler32File } from './shared-file/checksum';
import {
  attributes, baseDirOf, POST_PROCESS_ATTRS_FILE, READ_SUFFIX, TASK_WORKDIR_PATH_FILE, validateAttributes,
  type FileNameKey, type SharedFileAttributes,
} from './shared-file/config';
import {
  ackTimestamp, exists, isPlainObject, linkBack, lstatOrNull, readFileNoFollow, readJson, removeFile, renameIfExists, writeAtomic,
} from './shared-file/io';
import { jobSpecCgi, jobSpecJson, poolFileCatalog } from './shared-file/job-spec';
import { expandPatterns, scanLeftovers, type DumpEntry } from './shared-file/leftovers';
import { makeLogTarball, mapLimit, subDirs } from './shared-file/log-tarball';
import { EVENT_STATUSES, parseEventStatusDump } from './shared-file/outputs';
import { readTaskState } from './shared-file/task-state';

/**
 * How long an unparsable event status dump counts as still being written.
 * Past that it is malformed for good: logged as an error and dropped, so a
 * broken payload cannot make us re-read it forever.
 */
export const DUMP_SETTLE_MS = 30_000;

/**
 * The shared-file messenger (the original's `shared_file_messenger.py`,
 * facts §9.1): harvester and the payload talk through files in the worker's
 * access point, with the original's names and JSON shapes, so a payload
 * written for the original works unchanged. Layout and file list:
 * docs/messenger.md.
 *
 * Unlike the original, nothing a payload writes can make harvester touch a
 * file outside the access point: paths in payload files and the well-known
 * files themselves (which a payload could replace with symlinks) are
 * checked with plugins/lib/safe-path; a rejected path is logged as a warning
 * with the workerID, the file it came from and the offending path.
 */
export class SharedFileMessenger implements Messenger {
  static readonly attributes = attributes;
  static validate(values: Record<string, unknown>): Record<string, unknown> {
    return validateAttributes(values);
  }

  readonly forcePostProcessing: boolean;
  private readonly a: SharedFileAttributes;
  private readonly aps: AccessPoints;
  private readonly log: Logger;
  private readonly cpus: number;

  constructor(attrs: SharedFileAttributes, ctx: PluginContext) {
    validateAttributes(attrs);
    this.a = attrs;
    this.aps = new AccessPoints(baseDirOf(attrs) as string, attrs.accessPoint, ctx.harvesterID);
    this.log = ctx.log;
    this.forcePostProcessing = attrs.forcePostProcessing;
    this.cpus = Math.max(1, os.availableParallelism());
  }

  /** The base directory every access point must be in (for the other local plugins and tests). */
  get baseDir(): string {
    return this.aps.base;
  }

  // ------------------------------------------------------------ helpers

  private rejected(worker: WorkerSpec, file: string, offending: string, reason: string): void {
    this.log.warn({ workerID: worker.workerID, file, path: offending, reason }, 'shared-file messenger: path from a worker file or the config rejected, nothing outside the access point touched');
  }

  /** The worker's checked access point; an escaping one is logged and thrown (the channel is broken). */
  private async dirs(worker: WorkerSpec): Promise<WorkerDirs> {
    try {
      return await this.aps.resolve(worker);
    } catch (err) {
      if (err instanceof AccessPointError) this.rejected(worker, 'accessPoint', err.accessPoint ?? '', err.message);
      throw err;
    }
  }

  /** A well-known file (or `name` + suffix) in `dir`, checked on real paths; null (logged) when it escapes, e.g. a planted symlink. */
  private async fileIn(worker: WorkerSpec, dir: string, name: string): Promise<string | null> {
    try {
      return await resolveInsideReal(dir, name, { allowAbsolute: false });
    } catch (err) {
      if (!(err instanceof PathEscapeError)) throw err;
      this.rejected(worker, name, path.join(dir, name), err.reason);
      return null;
    }
  }

  /**
   * A file in `dir` to create, replace, rename or delete: its parent must
   * really be inside `dir`, the file itself may be anything — writes rename a
   * temp file over it and deletes unlink it, so a symlink planted there is
   * replaced or removed, never followed.
   */
  private async entryIn(worker: WorkerSpec, dir: string, name: string): Promise<string | null> {
    try {
      const lexical = resolveInside(dir, name, { allowAbsolute: false });
      const parent = await resolveInsideReal(dir, path.dirname(lexical), { allowRoot: true });
      return path.join(parent, path.basename(lexical));
    } catch (err) {
      if (!(err instanceof PathEscapeError)) throw err;
      this.rejected(worker, name, path.join(dir, name), err.reason);
      return null;
    }
  }

  private name(key: FileNameKey): string {
    return this.a[key];
  }

  /** The job's directory (`<accessPoint>/<PandaID>` for ManyToOne), checked: a planted symlink there is refused. */
  private async jobDir(worker: WorkerSpec, dirs: WorkerDirs, pandaID: number | string): Promise<string | null> {
    if (worker.mapType !== 'ManyToOne') return dirs.top;
    if (!/^\d+$/.test(String(pandaID))) return null;
    return this.fileIn(worker, dirs.top, String(pandaID));
  }

  /** PandaIDs of the worker: as the agent gave them, else the PandaIDs file (written by feedJobs, or by a pull worker). */
  private async pandaIDsOf(worker: WorkerSpec, dirs: WorkerDirs): Promise<number[]> {
    if (worker.pandaIDs && worker.pandaIDs.length > 0) return [...worker.pandaIDs];
    return this.readPandaIDs(worker, dirs);
  }

  private async readPandaIDs(worker: WorkerSpec, dirs: WorkerDirs): Promise<number[]> {
    const file = await this.fileIn(worker, dirs.top, this.name('pandaIDsFile'));
    if (!file) return [];
    const r = await readJson(file);
    if (r.status === 'invalid') this.log.debug({ workerID: worker.workerID, file, error: r.error }, 'failed to load the PandaIDs file');
    if (r.status !== 'ok' || !Array.isArray(r.value)) return [];
    return r.value.map((v) => Number(v)).filter((n) => Number.isSafeInteger(n) && n > 0);
  }

  /** Directories holding per-job files, with their PandaID when known (unique; one for every layout but ManyToOne). */
  private async jobDirs(worker: WorkerSpec, dirs: WorkerDirs): Promise<Array<{ pandaID: number | null; dir: string }>> {
    if (worker.mapType !== 'ManyToOne') return [{ pandaID: null, dir: dirs.top }];
    const out: Array<{ pandaID: number | null; dir: string }> = [];
    for (const id of await this.pandaIDsOf(worker, dirs)) {
      const dir = await this.jobDir(worker, dirs, id);
      if (dir) out.push({ pandaID: id, dir });
    }
    return out;
  }

  /** Reads a JSON object from a well-known file; {} when absent, unreadable or not an object (logged at debug, as the original). */
  private async readObject(worker: WorkerSpec, dir: string, name: string): Promise<{ found: boolean; value: JsonObject }> {
    const file = await this.fileIn(worker, dir, name);
    if (!file) return { found: false, value: {} };
    const r = await readJson(file);
    if (r.status === 'missing') return { found: false, value: {} };
    if (r.status === 'invalid' || !isPlainObject(r.value)) {
      this.log.debug({ workerID: worker.workerID, file, error: r.status === 'invalid' ? r.error : 'not a JSON object' }, 'failed to load');
      return { found: true, value: {} };
    }
    return { found: true, value: r.value as JsonObject };
  }

  /**
   * The original's "rename to .read while processing" step: an unacknowledged
   * `<file>.read` is processed again; otherwise `<file>` is renamed to it, so
   * the payload can write a new `<file>` meanwhile. Returns the `.read` path.
   */
  private async claimForReading(worker: WorkerSpec, dir: string, name: string): Promise<string | null> {
    const file = await this.fileIn(worker, dir, name);
    const readPath = await this.fileIn(worker, dir, name + READ_SUFFIX);
    if (!file || !readPath) return null;
    if (await exists(readPath)) return readPath;
    return (await renameIfExists(file, readPath)) ? readPath : null;
  }

  // ------------------------------------------------------------ submitter

  async setupAccessPoints(workers: readonly WorkerSpec[]): Promise<void> {
    for (const w of workers) {
      const dirs = await this.dirs(w);
      // New workers only reach here: wipe leftovers of an earlier worker with the same directory.
      // A directory shared by all workers (template without placeholder) is never wiped.
      if (!dirs.shared && (await lstatOrNull(dirs.entry))) await fs.promises.rm(dirs.entry, { recursive: true, force: true });
      await fs.promises.mkdir(dirs.entry, { recursive: true });
      const fresh = await this.dirs(w); // re-check: the directories just created are what we expect
      if (w.mapType === 'ManyToOne') {
        for (const id of w.pandaIDs ?? []) {
          const sub = await this.jobDir(w, fresh, id);
          if (!sub) throw new Error(`workerID=${w.workerID}: job directory for PandaID ${id} rejected`);
          await fs.promises.mkdir(sub, { recursive: true });
        }
      }
    }
  }

  async feedJobs(worker: WorkerSpec, jobs: readonly JobSpec[]): Promise<void> {
    const dirs = await this.dirs(worker);
    const pfc = poolFileCatalog(jobs);
    const fed: number[] = [];
    const problems: string[] = [];
    for (const job of jobs) {
      try {
        const dir = await this.jobDir(worker, dirs, job.PandaID);
        if (!dir) throw new Error('job directory rejected');
        await fs.promises.mkdir(dir, { recursive: true });
        const specFile = await this.entryIn(worker, dir, this.name('jobSpecFile'));
        const pfcFile = await this.entryIn(worker, dir, this.name('xmlPoolCatalogFile'));
        if (!specFile || !pfcFile) throw new Error('job spec or PFC file path rejected');
        const spec = this.a.jobSpecFileFormat === 'cgi' ? jobSpecCgi(job, this.a.stripJobParams) : jobSpecJson(job, this.a.stripJobParams);
        await writeAtomic(specFile, spec);
        await writeAtomic(pfcFile, pfc);
        await this.linkInputs(worker, dir, job);
        await this.prepareTaskDir(worker, dir, job);
        fed.push(job.PandaID);
      } catch (err) {
        problems.push(`PandaID=${job.PandaID}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const idsFile = await this.entryIn(worker, dirs.top, this.name('pandaIDsFile'));
    if (idsFile) await writeAtomic(idsFile, JSON.stringify(fed));
    const reqFile = await this.entryIn(worker, dirs.top, this.name('jobRequestFile'));
    if (reqFile) await removeFile(reqFile);
    if (problems.length) throw new Error(`workerID=${worker.workerID}: feeding jobs to ${dirs.top} failed: ${problems.join('; ')}`);
  }

  /** Symlinks `<dir>/<lfn>` → the input's path (the preparator's resolved location), replacing whatever was there. */
  private async linkInputs(worker: WorkerSpec, dir: string, job: JobSpec): Promise<void> {
    for (const f of job.inFiles) {
      let dst: string;
      try {
        // lfns come from PanDA, still: a name with "/" or ".." must not place a link elsewhere.
        dst = resolveInside(dir, f.lfn, { allowAbsolute: false });
      } catch (err) {
        if (err instanceof PathEscapeError) this.rejected(worker, `inFiles of PandaID ${job.PandaID}`, f.lfn, err.reason);
        throw err;
      }
      if (!f.path) {
        this.log.warn({ workerID: worker.workerID, PandaID: job.PandaID, lfn: f.lfn }, 'input has no path yet: no link made');
        continue;
      }
      if (path.resolve(f.path) === dst) continue; // the preparator put it right here
      await removeFile(dst);
      await fs.promises.symlink(f.path, dst);
    }
  }

  // ------------------------------------------------------------ monitor: reports

  async jobRequested(worker: WorkerSpec): Promise<number> {
    const dirs = await this.dirs(worker);
    const file = await this.fileIn(worker, dirs.top, this.name('jobRequestFile'));
    if (!file) return 0;
    const r = await readJson(file);
    if (r.status === 'missing') return 0;
    // Present but unreadable or without nJobs: one job, as the original.
    const n = r.status === 'ok' && isPlainObject(r.value) ? r.value.nJobs : undefined;
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 1;
  }

  async getWorkAttributes(worker: WorkerSpec): Promise<PerJob<JsonObject>> {
    const dirs = await this.dirs(worker);
    const out: PerJob<JsonObject> = {};
    for (const id of await this.pandaIDsOf(worker, dirs)) {
      const dir = await this.jobDir(worker, dirs, id);
      if (!dir) continue;
      const attrs: JsonObject = { ...(await this.readObject(worker, dir, this.name('workerAttributesFile'))).value };
      const report = await this.readObject(worker, dir, this.name('jobReportFile'));
      if (report.found) attrs.metaData = report.value;
      Object.assign(attrs, (await this.readObject(worker, dir, POST_PROCESS_ATTRS_FILE)).value);
      out[String(id)] = attrs;
    }
    return out;
  }

  async getFilesToStageOut(worker: WorkerSpec): Promise<PerJob<ReportedOutputFile[]>> {
    const dirs = await this.dirs(worker);
    const out: PerJob<ReportedOutputFile[]> = {};
    const dumpName = this.name('eventStatusDumpJsonFile');
    for (const { dir } of await this.jobDirs(worker, dirs)) {
      const readPath = await this.claimForReading(worker, dir, dumpName);
      if (!readPath) continue;
      const r = await readJson(readPath);
      if (r.status !== 'ok') {
        const error = r.status === 'invalid' ? r.error : 'vanished';
        if (r.status === 'invalid' && (await this.stillBeingWritten(readPath))) {
          // A payload (like the pilot) writes the dump in place: we caught it half written. Hand it
          // back under its own name — the same inode, so the writer's open descriptor still fills
          // it — for the next cycle; left as .read, this cycle's acknowledgeEventsFiles would
          // archive it unread and the job would finish without its outputs.
          const back = await this.fileIn(worker, dir, dumpName);
          const handedBack = back !== null && (await linkBack(readPath, back));
          this.log.debug({ workerID: worker.workerID, file: readPath, error, handedBack }, 'event status dump incomplete: read again next cycle');
          if (handedBack) continue;
          this.log.warn({ workerID: worker.workerID, file: readPath, error }, 'incomplete event status dump replaced by a newer one: skipped');
          await removeFile(readPath);
          continue;
        }
        this.log.error({ workerID: worker.workerID, file: readPath, error }, 'failed to load the event status dump');
        await removeFile(readPath);
        continue;
      }
      // Merged outputs of on-site merging live in the job's task dir, which feedJobs recorded in the job dir.
      const taskDir = await this.pointedTaskDir(worker, dir);
      const roots = [...new Set([dir, dirs.top, ...this.a.extraOutputDirs.map((d) => path.resolve(d)), ...(taskDir ? [taskDir] : [])])];
      const parsed = await parseEventStatusDump(r.value, {
        roots,
        onReject: (p) => this.rejected(worker, dumpName, p.path ?? '', `PandaID ${p.pandaID}: ${p.reason}`),
        onError: (p) => this.log.warn({ workerID: worker.workerID, file: dumpName, PandaID: p.pandaID, path: p.path, reason: p.reason }, 'event status dump entry skipped'),
      });
      if (parsed.invalid) this.log.error({ workerID: worker.workerID, file: readPath, reason: parsed.invalid }, 'event status dump skipped');
      if (parsed.invalid || parsed.nData === 0) {
        await removeFile(readPath);
        continue;
      }
      for (const [id, files] of Object.entries(parsed.files)) (out[id] ??= []).push(...files);
      if (Object.keys(parsed.events).length > 0) await this.appendEventUpdates(worker, dir, parsed.events);
    }
    return out;
  }

  /** Whether a file was modified within DUMP_SETTLE_MS, i.e. its writer may not be done with it. */
  private async stillBeingWritten(file: string): Promise<boolean> {
    const st = await lstatOrNull(file);
    return st !== null && Date.now() - st.mtimeMs < DUMP_SETTLE_MS;
  }

  /**
   * Events derived from the dump go where the payload's own updates go. The
   * original overwrote that file (losing updates the payload had written);
   * we merge, skipping events already waiting there or in its unacknowledged
   * `.read`, so re-processing an unacknowledged dump adds nothing twice.
   */
  private async appendEventUpdates(worker: WorkerSpec, dir: string, events: PerJob<EventUpdate[]>): Promise<void> {
    const name = this.name('updateEventsFile');
    const file = await this.entryIn(worker, dir, name);
    if (!file) return;
    const merged: Record<string, unknown[]> = {};
    const seen = new Set<string>();
    const key = (id: string, u: unknown): string => (isPlainObject(u) ? JSON.stringify([id, u.eventRangeID, u.eventStatus]) : '');
    for (const [p, keep] of [[file, true], [`${file}${READ_SUFFIX}`, false]] as const) {
      const current = await readJson(p); // O_NOFOLLOW: a planted link reads as invalid, i.e. empty
      if (current.status !== 'ok' || !isPlainObject(current.value)) continue;
      for (const [id, list] of Object.entries(current.value)) {
        if (!Array.isArray(list)) continue;
        for (const u of list) seen.add(key(id, u));
        if (keep) merged[id] = [...list];
      }
    }
    let added = 0;
    for (const [id, list] of Object.entries(events)) {
      for (const u of list) {
        if (seen.has(key(id, u))) continue;
        seen.add(key(id, u));
        (merged[id] ??= []).push(u);
        added += 1;
      }
    }
    if (added > 0) await writeAtomic(file, JSON.stringify(merged));
  }

  async getPandaIDs(worker: WorkerSpec): Promise<number[]> {
    return this.readPandaIDs(worker, await this.dirs(worker));
  }

  async killRequested(worker: WorkerSpec): Promise<boolean> {
    const dirs = await this.dirs(worker);
    const file = await this.entryIn(worker, dirs.top, this.name('killWorkerFile'));
    return file !== null && (await exists(file));
  }

  async isAlive(worker: WorkerSpec, heartbeatMinutes: number): Promise<boolean> {
    const dirs = await this.dirs(worker);
    const limitMs = heartbeatMinutes * 60_000;
    const file = await this.entryIn(worker, dirs.top, this.name('heartbeatFile'));
    // lstat: the heartbeat's own mtime; a link to some busy file elsewhere proves nothing.
    const st = file ? await lstatOrNull(file) : null;
    if (!st) {
      // Not started yet, or too young to have written one: alive. Otherwise expired (the original's None).
      if (!worker.startTime) return true;
      return Date.now() - worker.startTime.getTime() < limitMs;
    }
    return Date.now() - st.mtimeMs <= limitMs;
  }

  // ------------------------------------------------------------ events

  async eventsRequested(worker: WorkerSpec): Promise<PerJob<EventsRequest>> {
    const dirs = await this.dirs(worker);
    const { value } = await this.readObject(worker, dirs.top, this.name('eventRequestFile'));
    const out: PerJob<EventsRequest> = {};
    const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);
    for (const [id, req] of Object.entries(value)) {
      if (!/^\d+$/.test(id) || !isPlainObject(req)) continue;
      out[id] = { pandaID: num(req.pandaID) ?? Number(id), taskID: num(req.taskID), jobsetID: num(req.jobsetID), nRanges: num(req.nRanges) ?? 1 };
    }
    return out;
  }

  async feedEvents(worker: WorkerSpec, ranges: PerJob<EventRange[]>): Promise<void> {
    const dirs = await this.dirs(worker);
    if (worker.mapType === 'OneToOne' || worker.mapType === 'OneToMany') {
      const file = await this.entryIn(worker, dirs.top, this.name('eventRangesFile'));
      if (!file) throw new Error(`workerID=${worker.workerID}: event ranges file path rejected`);
      await writeAtomic(file, JSON.stringify(ranges));
    } else {
      // As the original (TOBEFIXED there): no event feeding for ManyToOne / NoJob workers.
      this.log.warn({ workerID: worker.workerID, mapType: worker.mapType }, 'feedEvents is not supported for this mapType: ranges not written');
    }
    const req = await this.entryIn(worker, dirs.top, this.name('eventRequestFile'));
    if (req) await removeFile(req);
  }

  async eventsToUpdate(worker: WorkerSpec): Promise<PerJob<EventUpdate[]>> {
    const dirs = await this.dirs(worker);
    const out: PerJob<EventUpdate[]> = {};
    const name = this.name('updateEventsFile');
    for (const { dir } of await this.jobDirs(worker, dirs)) {
      const readPath = await this.claimForReading(worker, dir, name);
      if (!readPath) continue;
      const r = await readJson(readPath);
      let nData = 0;
      if (r.status === 'ok' && isPlainObject(r.value)) {
        for (const [id, list] of Object.entries(r.value)) {
          if (!/^\d+$/.test(id) || !Array.isArray(list)) continue;
          const updates = list.filter((u): u is EventUpdate => isPlainObject(u) && typeof u.eventRangeID === 'string'
            && typeof u.eventStatus === 'string' && EVENT_STATUSES.has(u.eventStatus));
          if (updates.length < list.length) this.log.warn({ workerID: worker.workerID, file: name, PandaID: id, dropped: list.length - updates.length }, 'malformed event updates skipped');
          out[id] = updates;
          nData += list.length;
        }
      } else {
        this.log.error({ workerID: worker.workerID, file: readPath, error: r.status === 'invalid' ? r.error : 'not a JSON object' }, 'failed to load event updates');
      }
      if (nData === 0) await removeFile(readPath);
    }
    return out;
  }

  async acknowledgeEventsFiles(workers: readonly WorkerSpec[]): Promise<void> {
    for (const w of workers) {
      let dirs: WorkerDirs;
      try {
        dirs = await this.dirs(w);
      } catch {
        continue; // logged by dirs(); nothing of that worker was read either
      }
      const stamp = ackTimestamp();
      for (const { dir } of await this.jobDirs(w, dirs)) {
        for (const name of [this.name('updateEventsFile'), this.name('eventStatusDumpJsonFile')]) {
          const from = await this.entryIn(w, dir, name + READ_SUFFIX);
          const to = await this.entryIn(w, dir, `${name}${READ_SUFFIX}.${stamp}`);
          if (from && to) await renameIfExists(from, to);
        }
      }
    }
  }

  // ------------------------------------------------------------ post-processing

  async postProcessing(worker: WorkerSpec, jobs: readonly JobSpec[], mapType: MapType): Promise<OutcomeResult> {
    let dirs: WorkerDirs;
    try {
      dirs = await this.dirs(worker);
    } catch (err) {
      return { status: 'failed', diag: err instanceof Error ? err.message : String(err) };
    }
    if (!(await exists(dirs.top))) return { status: 'failed', diag: `workerID=${worker.workerID}: access point ${dirs.top} does not exist: nothing to post-process` };
    const done: string[] = [];
    try {
      for (const job of jobs) done.push(await this.postProcessJob(worker, dirs, job, mapType));
    } catch (err) {
      const diag = `workerID=${worker.workerID}: post-processing in ${dirs.top} failed: ${err instanceof Error ? err.message : String(err)}`;
      this.log.error({ err, workerID: worker.workerID }, diag);
      return { status: 'pending', diag };
    }
    return { status: 'done', diag: done.join('; ') };
  }

  private async postProcessJob(worker: WorkerSpec, dirs: WorkerDirs, job: JobSpec, mapType: MapType): Promise<string> {
    const origDir = await this.jobDir(worker, dirs, job.PandaID);
    if (!origDir) throw new Error(`job directory of PandaID ${job.PandaID} rejected`);
    const dir = this.a.postProcessInSubDir ? await this.fileIn(worker, origDir, String(job.PandaID)) : origDir;
    if (!dir) throw new Error(`post-processing directory of PandaID ${job.PandaID} rejected`);
    const entries: DumpEntry[] = [];
    const notes: string[] = [];
    const hasLog = job.outFiles.some((f) => f.fileType === 'log');
    const logFile = typeof job.jobParams.logFile === 'string' ? job.jobParams.logFile : '';
    if (!hasLog && logFile && (await exists(dir))) {
      const entry = await this.makeLogEntry(worker, dir, job, logFile, mapType);
      if (entry) {
        entries.push(entry);
        notes.push(`log ${path.basename(entry.path)}`);
      }
    }
    if (this.a.scanInPostProcess && (await exists(dir))) {
      const left = await this.scanLeftovers(worker, dir, job);
      entries.push(...left);
      notes.push(`${left.length} leftovers`);
    }
    const taskDir = await this.taskDirOf(worker, origDir, job);
    if (taskDir) {
      const state = await readTaskState(taskDir, this.name('taskWorkStateFile'), job, (p, reason) => this.rejected(worker, this.name('taskWorkStateFile'), p, reason));
      entries.push(...state.outputs);
      const attrsFile = await this.entryIn(worker, dir, POST_PROCESS_ATTRS_FILE);
      if (attrsFile) await writeAtomic(attrsFile, JSON.stringify({ skippedInputs: state.skippedInputs }));
      notes.push(`${state.outputs.length} merged outputs, ${state.skippedInputs.length} skipped inputs`);
    }
    if (entries.length > 0) await this.appendToDump(worker, origDir, job.PandaID, entries);
    return `PandaID=${job.PandaID}: ${notes.join(', ') || 'nothing to do'}`;
  }

  /** Makes `<dir>/<logFile lfn>` (suffix `._<workerID>` for OneToMany, as the original) and its dump entry. */
  private async makeLogEntry(worker: WorkerSpec, dir: string, job: JobSpec, logFile: string, mapType: MapType): Promise<DumpEntry | null> {
    const name = mapType === 'OneToMany' ? `${logFile}._${worker.workerID}` : logFile;
    const tarball = await this.entryIn(worker, dir, name);
    if (!tarball || path.dirname(tarball) !== dir) {
      if (tarball) this.rejected(worker, `logFile of PandaID ${job.PandaID}`, name, 'log file name must be a plain file name');
      return null;
    }
    const res = await makeLogTarball(dir, tarball, {
      exclude: [path.basename(this.name('jobSpecFile'))],
      ...(this.a.subTarballName ? { subTarballName: this.a.subTarballName } : {}),
      parallel: this.a.maxWorkersForZip ?? this.cpus,
    });
    for (const s of res.subTarballs.filter((x) => x.error)) {
      this.log.warn({ workerID: worker.workerID, dir: s.dir, error: s.error }, 'failed to make a sub-dir tarball');
    }
    const st = await fs.promises.stat(tarball);
    const guid = typeof job.jobParams.logGUID === 'string' && job.jobParams.logGUID ? job.jobParams.logGUID : undefined;
    this.log.debug({ workerID: worker.workerID, PandaID: job.PandaID, tarball, files: res.files, bytes: res.bytes }, 'log tarball made');
    return { path: tarball, type: 'log', isZip: 0, fsize: st.size, chksum: `ad:${await adler32File(tarball)}`, ...(guid ? { guid } : {}) };
  }

  private async scanLeftovers(worker: WorkerSpec, dir: string, job: JobSpec): Promise<DumpEntry[]> {
    let scanDirs = await subDirs(dir);
    if (this.a.outputSubDir) {
      const sub = this.a.outputSubDir;
      const checked = await Promise.all(scanDirs.map((d) => this.fileIn(worker, d, sub)));
      scanDirs = [];
      for (const d of checked) if (d && (await lstatOrNull(d))?.isDirectory()) scanDirs.push(d);
    }
    const patterns = expandPatterns(this.a.leftOverPatterns, job);
    const zipPatterns = expandPatterns(this.a.leftOverZipPatterns, job);
    const lists = await mapLimit(scanDirs, this.a.maxWorkersForZip ?? this.cpus, (d) => scanLeftovers(d, patterns, zipPatterns));
    return lists.flat();
  }

  /** Appends entries to the job's event status dump, keeping whatever the payload wrote there and harvester has not read yet. */
  private async appendToDump(worker: WorkerSpec, dir: string, pandaID: number, entries: DumpEntry[]): Promise<void> {
    const file = await this.entryIn(worker, dir, this.name('eventStatusDumpJsonFile'));
    if (!file) throw new Error(`event status dump path of PandaID ${pandaID} rejected`);
    const current = await readJson(file);
    const dump: Record<string, unknown[]> = {};
    if (current.status === 'ok' && isPlainObject(current.value)) {
      for (const [id, list] of Object.entries(current.value)) if (Array.isArray(list)) dump[id] = [...list];
    }
    (dump[String(pandaID)] ??= []).push(...entries);
    await writeAtomic(file, JSON.stringify(dump));
  }

  // ------------------------------------------------------------ on-site merging (task-level work dir)

  /**
   * The task work dir: the path in `task_workdir_path.txt` (payload-writable,
   * so it must lie inside taskWorkBaseDir), else `<taskWorkBaseDir>/<taskID>`
   * for jobs with `onSiteMerging`; null when the job does not merge on site.
   */
  private async taskDirOf(worker: WorkerSpec, jobDir: string, job: JobSpec): Promise<string | null> {
    const pointed = await this.pointedTaskDir(worker, jobDir);
    if (pointed !== undefined) return pointed;
    if (!('onSiteMerging' in job.jobParams) || job.taskID === null || job.taskID === undefined) return null;
    return resolveInsideReal(path.resolve(this.a.taskWorkBaseDir), String(job.taskID));
  }

  /** The task dir named in `task_workdir_path.txt`: undefined when there is no such file, null when it is rejected. */
  private async pointedTaskDir(worker: WorkerSpec, jobDir: string): Promise<string | null | undefined> {
    const pointer = await this.fileIn(worker, jobDir, TASK_WORKDIR_PATH_FILE);
    const text = pointer ? await readFileNoFollow(pointer).catch(() => null) : null;
    if (text === null) return undefined;
    const p = text.toString('utf8').trim();
    try {
      return await resolveInsideReal(path.resolve(this.a.taskWorkBaseDir), p);
    } catch (err) {
      if (!(err instanceof PathEscapeError)) throw err;
      this.rejected(worker, TASK_WORKDIR_PATH_FILE, p, err.reason);
      return null;
    }
  }

  /** feedJobs part of on-site merging (the original did it in setup_access_points, which has the jobs there). */
  private async prepareTaskDir(worker: WorkerSpec, jobDir: string, job: JobSpec): Promise<void> {
    if (!('onSiteMerging' in job.jobParams)) return;
    const taskDir = await this.taskDirOf(worker, jobDir, job);
    if (!taskDir) return;
    await fs.promises.mkdir(taskDir, { recursive: true });
    const pointer = await this.entryIn(worker, jobDir, TASK_WORKDIR_PATH_FILE);
    if (pointer) await writeAtomic(pointer, taskDir);
  }

  // ------------------------------------------------------------ sweeper

  async cleanUp(worker: WorkerSpec): Promise<OutcomeResult> {
    if (!worker.accessPoint && !this.a.accessPoint) return { status: 'done', diag: 'no access point' };
    let dirs: WorkerDirs;
    try {
      dirs = await this.dirs(worker);
    } catch (err) {
      return { status: 'failed', diag: `not removed: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (dirs.shared) return { status: 'done', diag: `${dirs.entry} is the base directory shared by all workers: kept` };
    const st = await lstatOrNull(dirs.entry);
    if (!st) return { status: 'done', diag: `${dirs.entry} already gone` };
    if (st.isSymbolicLink()) {
      await removeFile(dirs.entry); // the link only, never what it points to
      return { status: 'done', diag: `removed the link ${dirs.entry}` };
    }
    if (!st.isDirectory()) return { status: 'failed', diag: `workerID=${worker.workerID}: ${dirs.entry} is not a directory: not removed` };
    try {
      // rm never follows symlinks inside the tree: links to inputs elsewhere are removed, their targets kept.
      await fs.promises.rm(dirs.entry, { recursive: true, force: true });
    } catch (err) {
      return { status: 'failed', diag: `workerID=${worker.workerID}: failed to remove ${dirs.entry}: ${err instanceof Error ? err.message : String(err)}` };
    }
    return { status: 'done', diag: `removed ${dirs.entry}` };
  }
}
