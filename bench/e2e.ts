/**
 * End-to-end benchmark (issue 4): N jobs from a WMS speaking the PanDA
 * protocol over HTTP on loopback, through a real master process with every
 * agent (3 threads each, 1 s sleep/check/trigger intervals, lockInterval
 * 600 s, maxJobs/maxWorkers 500, INFO logging to a file, sqlite), dummy
 * preparator/stager, OneToOne, and a dummy batch system in which a worker
 * runs 1 s after submission and finishes 1 s later writing one output file.
 *
 * The WMS runs in this process, so the master's CPU and memory — read from
 * /proc/<pid>/stat and VmHWM — are the harvester's alone. Wall time runs from
 * spawning the master until the WMS has every job `finished`. Not a test: it
 * prints figures; the LAST line is one JSON object.
 *
 *   npm run bench:e2e -- --jobs 2000        (the default)
 *   node dist/bench/e2e.js --jobs 20000 --keep   (keep the temp dir and its log)
 *   node dist/bench/e2e.js --no-write-files      (dummy messenger in memory: no output files)
 *   node dist/bench/e2e.js --idle-seconds 10      (then 10 s with nothing to do: idle_cpu_ms_per_s)
 *   node dist/bench/e2e.js --dir /data/bench      (run directories there instead of var/bench)
 *   BENCH_MASTER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node dist/bench/e2e.js   (profile the master)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startWms, type WmsHandle } from '../src/wms/server';
import { fastCycleConfig } from '../test/helpers/fast-cycle-config';
import { makeRunDir, retireRunDir } from './lib/run-dirs';

interface Args {
  jobs: number;
  keep: boolean;
  /** Seconds to stay up after the last job, measuring the master's idle CPU (0 = skip). */
  idleSeconds: number;
  /** The dummy messenger writes each job's output file to disk (default); off = in memory. */
  writeFiles: boolean;
  /** Where each run makes its own directory (retired to <baseDir>/.trash at the end unless --keep: lib/run-dirs.ts). */
  baseDir: string;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { jobs: 2000, keep: false, writeFiles: true, idleSeconds: 0, baseDir: DEFAULT_BASE_DIR };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--jobs' || a === '-n') args.jobs = Number(argv[++i]);
    else if (a.startsWith('--jobs=')) args.jobs = Number(a.slice('--jobs='.length));
    else if (a === '--keep') args.keep = true;
    else if (a === '--no-write-files') args.writeFiles = false;
    else if (a === '--idle-seconds') args.idleSeconds = Number(argv[++i]);
    else if (a === '--dir') {
      const d = argv[++i];
      if (!d) throw new Error('--dir: expected a directory for the run directories');
      args.baseDir = path.resolve(d);
    }
    else throw new Error(`unknown argument ${a} (expected --jobs N [--keep] [--no-write-files] [--idle-seconds S] [--dir D])`);
  }
  if (!Number.isFinite(args.idleSeconds) || args.idleSeconds < 0) throw new Error(`--idle-seconds: expected a number >= 0, got ${args.idleSeconds}`);
  if (!Number.isInteger(args.jobs) || args.jobs < 1) throw new Error(`--jobs: expected a positive integer, got ${args.jobs}`);
  return args;
}

const REPO = path.resolve(__dirname, '../..');
/**
 * Runs go under the repository's var/ (as the service's own state does), not
 * the shared /tmp that test suites and other tools fill and empty: see
 * lib/run-dirs.ts for why what was deleted nearby matters.
 */
const DEFAULT_BASE_DIR = path.join(REPO, 'var', 'bench');
const QUEUE = 'BENCH';

const outputDirOf = (runDir: string): string => path.join(runDir, 'outputs');

function queueConfig(n: number, dir: string, writeFiles: boolean): object {
  return {
    [QUEUE]: {
      prodSourceLabel: 'managed',
      mapType: 'OneToOne',
      nQueueLimitJob: n,
      maxWorkers: n,
      nQueueLimitWorker: n,
      preparator: { module: 'dummy', name: 'DummyPreparator' },
      // The dummy batch system's status.txt is the emulator's, not harvester's, I/O: the scenario's one file per job is the output.
      submitter: { module: 'dummy', name: 'DummySubmitter', writeStatusFile: false },
      workerMaker: { module: 'dummy', name: 'DummyWorkerMaker' },
      // The scenario's one output file per job, written into one output directory and removed by the sweeper.
      messenger: writeFiles
        ? { module: 'dummy', name: 'DummyMessenger', outputDir: outputDirOf(dir) }
        : { module: 'dummy', name: 'DummyMessenger' },
      stager: { module: 'dummy', name: 'DummyStager' },
      monitor: { module: 'dummy', name: 'DummyMonitor', runAfter: 1, finishAfter: 1, writeStatusFile: false },
      sweeper: { module: 'dummy', name: 'DummySweeper' },
    },
  };
}

function systemConfig(dir: string, apiUrl: string): string {
  const every = { nThreads: 3, sleepTime: 1, lockInterval: 600 };
  return fastCycleConfig({
    harvesterID: 'bench-e2e', dir, upstream: { apiUrl, timeout: 60 },
    sections: {
      master: { logFile: path.join(dir, 'harvester.log'), shutdownGraceTime: 30 },
      jobfetcher: { nThreads: 3, maxJobs: 500 },
      propagator: { ...every, maxJobs: 500, maxWorkers: 500, nJobsInBulk: 100, nWorkersInBulk: 100 },
      preparator: { ...every, maxJobsToCheck: 500, maxJobsToTrigger: 500 },
      submitter: { nThreads: 3, lockInterval: 600 },
      monitor: { ...every, maxWorkers: 500 },
      stager: { ...every, maxJobsToCheck: 500, maxJobsToTrigger: 500 },
      eventfeeder: { ...every, maxWorkers: 500 },
      sweeper: { nThreads: 3, maxWorkers: 500 },
    },
  });
}

/**
 * Kernel CPU to create one small file in the output directory, µs, measured in
 * this process (idle otherwise) before the master starts. The scenario writes
 * one output file per job; on ext4 without a journal (this VM's root) creating
 * a file scans past every inode of its block group deleted in the last minute
 * or more, so the same create costs 15 µs or 950 µs depending on what was
 * deleted nearby just before (an earlier run's cleanup, a test suite's temp
 * directory; lib/run-dirs.ts) — up to 1 ms of the master's CPU per job that
 * says nothing about harvester. The probe writes into the output directory
 * itself, because a directory's files take their inodes from its own block
 * group. It is a hint only: 200 creates can find room the run's N creates do
 * not. The probe files stay until the end of the run.
 */
function fileCreateSysUs(outputDir: string, n = 200): number {
  fs.mkdirSync(outputDir, { recursive: true });
  const body = Buffer.alloc(64, 120);
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) fs.writeFileSync(path.join(outputDir, `fs-probe-${i}`), body);
  return process.cpuUsage(c0).system / n;
}

/** utime + stime of a process, in ms (needs Linux /proc). */
function cpuMs(pid: number, ticksPerSec: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5); rest[0] is field 3.
  return ((Number(rest[11]) + Number(rest[12])) * 1000) / ticksPerSec;
}

/** utime and stime of a process separately, in ms. */
function cpuSplitMs(pid: number, ticksPerSec: number): { user: number; sys: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: (Number(rest[11]) * 1000) / ticksPerSec, sys: (Number(rest[12]) * 1000) / ticksPerSec };
}

/** CPU ms per thread kind (main, libuv threadpool, V8 workers, ...), summed over /proc/<pid>/task. */
function cpuByThread(pid: number, ticksPerSec: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    // Node leaves most threads named "node": tell the main thread (tid = pid) from the rest.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '').trim();
    const name = tid === String(pid) ? 'main' : comm === 'node' ? 'other' : comm;
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = ((Number(rest[11]) + Number(rest[12])) * 1000) / ticksPerSec;
    out[name] = Math.round((out[name] ?? 0) + ms);
  }
  return out;
}

/** Peak resident set (VmHWM) in MB. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

function waitForReady(child: ChildProcess, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.on('message', (m) => {
      if (m === 'ready') resolve();
    });
    child.once('exit', (code) => reject(new Error(`master exited (${code}) before it was ready:\n${stderr()}`)));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round = (v: number, digits = 2): number => Number(v.toFixed(digits));

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (process.platform !== 'linux') throw new Error('bench:e2e reads /proc: Linux only');
  const n = args.jobs;
  const dir = makeRunDir(args.baseDir, 'e2e-');
  const ticks = clockTicks();
  let wms: WmsHandle | undefined;
  let child: ChildProcess | undefined;
  try {
    const createUs = args.writeFiles ? fileCreateSysUs(outputDirOf(dir)) : 0;
    wms = await startWms({ host: '127.0.0.1', port: 0 });
    wms.store.addJobs(Array.from({ length: n }, () => ({ computingSite: QUEUE, inFiles: 'in.${PandaID}.root', outFiles: 'out.${PandaID}.root', logFile: '' })));
    fs.writeFileSync(path.join(dir, 'queues.json'), JSON.stringify(queueConfig(n, dir, args.writeFiles), null, 2));
    const cfg = path.join(dir, 'harvester.cfg');
    fs.writeFileSync(cfg, systemConfig(dir, wms.apiUrl));

    console.log(`bench:e2e  jobs=${n}  writeFiles=${args.writeFiles}  dir=${dir}`);
    const t0 = Date.now();
    // BENCH_MASTER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the master.
    const nodeArgs = (process.env.BENCH_MASTER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    // BENCH_MASTER_STDOUT=file keeps what the master prints (e.g. with --trace-gc); logs go to <dir>/harvester.log.
    const masterStdout = process.env.BENCH_MASTER_STDOUT ? fs.openSync(process.env.BENCH_MASTER_STDOUT, 'w') : 'ignore';
    const proc = spawn(process.execPath, [...nodeArgs, path.join(REPO, 'bin', 'harvester.js'), '-c', cfg, 'start'], {
      cwd: REPO, stdio: ['ignore', masterStdout, 'pipe', 'ipc'], env: { ...process.env, HARVESTER_CONFIG: cfg },
    });
    child = proc;
    let stderr = '';
    proc.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    const pid = proc.pid;
    if (pid === undefined) throw new Error('could not spawn the master');
    await waitForReady(proc, () => stderr);
    const tReady = Date.now();
    const cpuReady = cpuMs(pid, ticks);
    const rssReady = peakRssMb(pid);

    const deadline = t0 + Math.max(120_000, n * 30);
    const store = wms.store;
    let tFirst: number | undefined;
    let lastLine = 0;
    let cpuDone = 0;
    let rssDone = 0;
    let threadsDone: Record<string, number> = {};
    let splitDone = { user: 0, sys: 0 };
    for (;;) {
      const finished = store.jobCountsByStatus().finished ?? 0;
      const now = Date.now();
      if (finished > 0 && tFirst === undefined) tFirst = now;
      if (finished >= n) {
        cpuDone = cpuMs(pid, ticks);
        rssDone = peakRssMb(pid);
        threadsDone = cpuByThread(pid, ticks);
        splitDone = cpuSplitMs(pid, ticks);
        break;
      }
      if (proc.exitCode !== null) throw new Error(`master exited (${proc.exitCode}) with ${finished}/${n} jobs finished:\n${stderr}`);
      if (now > deadline) throw new Error(`timed out: ${finished}/${n} jobs finished after ${(now - t0) / 1000} s; counts ${JSON.stringify(store.jobCountsByStatus())}`);
      if (now - lastLine >= 2000) {
        lastLine = now;
        console.log(`  t=${((now - t0) / 1000).toFixed(1)}s  WMS jobs ${JSON.stringify(store.jobCountsByStatus())}  master cpu ${Math.round(cpuMs(pid, ticks))} ms`);
      }
      await sleep(50);
    }
    const tDone = Date.now();
    const workersFinished = [...store.workers.values()].filter((w) => w.status === 'finished').length;
    const requests = Object.fromEntries(store.requestCounts);
    // What the agent loops cost with nothing to do (the finished rows are still kept): part of every job's share above.
    let idle: { perS: number; byThread: Record<string, number> } | null = null;
    if (args.idleSeconds > 0) {
      const t0Idle = cpuByThread(pid, ticks);
      const w0 = Date.now();
      await sleep(args.idleSeconds * 1000);
      const t1Idle = cpuByThread(pid, ticks);
      const secs = (Date.now() - w0) / 1000;
      const byThread = Object.fromEntries(Object.keys(t1Idle).map((k) => [k, round(((t1Idle[k] ?? 0) - (t0Idle[k] ?? 0)) / secs, 1)]));
      idle = { perS: round(Object.values(byThread).reduce((a, b) => a + b, 0), 1), byThread };
    }
    const tKill = Date.now();
    proc.kill('SIGTERM');
    const exitCode = await new Promise<number | null>((resolve) => (proc.exitCode !== null ? resolve(proc.exitCode) : proc.once('exit', (c) => resolve(c))));
    const tExit = Date.now();

    const wall = (tDone - t0) / 1000;
    const result = {
      jobs: n,
      write_files: args.writeFiles,
      wall_s: round(wall),
      cpu_ms_per_job: round(cpuDone / n, 3),
      peak_rss_mb: round(rssDone, 1),
      cpu_s: round(cpuDone / 1000),
      cpu_user_s: round(splitDone.user / 1000),
      cpu_sys_s: round(splitDone.sys / 1000),
      cpu_ms_by_thread: threadsDone,
      startup_s: round((tReady - t0) / 1000),
      startup_cpu_ms: Math.round(cpuReady),
      startup_peak_rss_mb: round(rssReady, 1),
      cpu_ms_per_job_after_startup: round((cpuDone - cpuReady) / n, 3),
      // What creating the job's one output file cost the kernel here and now (see fileCreateSysUs), and the rest.
      fs_create_sys_us: round(createUs, 1),
      cpu_ms_per_job_excl_fs_create: round(cpuDone / n - createUs / 1000, 3),
      first_finished_s: tFirst === undefined ? null : round((tFirst - t0) / 1000),
      jobs_per_s: round(n / wall, 1),
      workers_finished_upstream: workersFinished,
      shutdown_s: round((tExit - tKill) / 1000),
      exit_code: exitCode,
      upstream_requests: requests,
      ...(idle === null ? {} : { idle_cpu_ms_per_s: idle.perS, idle_cpu_ms_per_s_by_thread: idle.byThread }),
    };
    console.log(`wall ${result.wall_s} s (startup ${result.startup_s} s, first job finished at ${result.first_finished_s} s), ${result.jobs_per_s} jobs/s`);
    console.log(`master CPU ${result.cpu_s} s = ${result.cpu_ms_per_job} ms/job (${result.cpu_ms_per_job_after_startup} ms/job after startup), peak RSS ${result.peak_rss_mb} MB`);
    if (args.writeFiles) {
      console.log(`creating a file costs this filesystem ${result.fs_create_sys_us} µs of kernel CPU now: ${result.cpu_ms_per_job_excl_fs_create} ms/job without the output file's create`);
    }
    console.log(`workers finished upstream ${workersFinished}/${n}; master exit ${exitCode} after ${result.shutdown_s} s`);
    console.log(JSON.stringify(result));
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await wms?.close();
    if (!args.keep) retireRunDir(args.baseDir, dir);
  }
}

main().catch((err: unknown) => {
  console.error(`bench:e2e failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
