import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');

function harvester(args: string[], env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/harvester.js'), ...args], {
    cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('harvester qconf (compiled CLI)', () => {
  let dir: string;

  beforeAll(() => {
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
    } catch {
      // tsc emits even when another module has a type error; what we run is checked below.
    }
    expect(existsSync(path.join(root, 'dist/src/cli/commands/qconf.js'))).toBe(true);
    dir = mkdtempSync(path.join(os.tmpdir(), 'qconf-cli-'));
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('validate: the sample file is good (exit 0), plugins checked', () => {
    const r = harvester(['qconf', 'validate', 'etc/panda_queueconfig.json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/etc\/panda_queueconfig.json: OK — 3 queue\(s\) \(DUMMY_PUSH, DUMMY_PULL, LOCAL_DEMO\), 1 template\(s\)\n/);
  });

  it('validate: a bad file exits 2 listing every problem with file, queue and attribute', () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({
      T_TEMPLATE: {
        preparator: { module: 'dummy', name: 'DummyPreparator' }, submitter: { module: 'dummy', name: 'DummySubmitter' },
        workerMaker: { module: 'dummy', name: 'DummyWorkerMaker' }, messenger: { module: 'dummy', name: 'DummyMessenger' },
        stager: { module: 'dummy', name: 'DummyStager' }, monitor: { module: 'dummy', name: 'DummyMonitor' },
        sweeper: { module: 'dummy', name: 'DummySweeper' },
      },
      GOOD: { templateQueueName: 'T_TEMPLATE' },
      BAD: { templateQueueName: 'T_TEMPLATE', nQueueLimitWorkr: 3, mapType: 'ManyToMany', monitor: { module: 'no-such-monitor' } },
    }));
    const r = harvester(['qconf', 'validate', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}: queue "BAD", attribute "nQueueLimitWorkr": unknown attribute (did you mean "nQueueLimitWorker"?)`);
    expect(r.stderr).toContain(`${bad}: queue "BAD", attribute "mapType": unknown value "ManyToMany"`);
    expect(r.stderr).toMatch(/queue "BAD", attribute "monitor": monitor plugin module "no-such-monitor" name "DummyMonitor": .*not found/);
    expect(r.stderr).toContain(`${bad}: 3 error(s); broken queues: BAD; good: GOOD`);
    expect(r.stdout).toBe('');
  });

  it('validate: invalid JSON exits 2 with line and column; a missing file exits 2', () => {
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "Q": {"maxWorkers": 1,}\n}\n');
    const r = harvester(['qconf', 'validate', broken]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${broken}: invalid JSON at line 2, column 25 (offset 26): expected a property name (trailing comma?)`);
    const missing = harvester(['qconf', 'validate', path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json: cannot read file \(ENOENT\)/);
  });

  it('list and show: statuses, configIDs and origins from the sample system config', () => {
    const db = path.join(dir, 'h.db');
    const set = ['--set', `db.database_filename=${db}`, '--set', 'db.engine=sqlite', '--set', 'qconf.queueList=ALL'];
    const list = harvester(['--config', 'etc/harvester.cfg', ...set, 'qconf', 'list']);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^QUEUE\s+STATUS\s+CONFIGID\s+WHY\n/);
    expect(list.stdout).toMatch(/DUMMY_PUSH\s+active\s+\d+/);
    expect(list.stdout).toMatch(/DUMMY_PULL\s+active\s+\d+/);

    const show = harvester(['--config', 'etc/harvester.cfg', ...set, 'qconf', 'show', 'DUMMY_PULL']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^DUMMY_PULL {2}status: active {2}configID: \d+/);
    expect(show.stdout).toMatch(/mapType\s+= "NoJob" {2}\[file .*etc\/panda_queueconfig.json\]/);
    expect(show.stdout).toMatch(/maxWorkers\s+= 10 {2}\[template DUMMY_TEMPLATE \(.*etc\/panda_queueconfig.json\)\]/);
    expect(show.stdout).toMatch(/prefetchEvents\s+= true {2}\[default\]/);
    expect(show.stdout).toMatch(/ {4}queueName = "DUMMY_PULL" {2}\[derived\]/);
    expect(show.stdout).toMatch(/\n  uniqueName\s+= "DUMMY_PULL:ANY:managed" {2}\[derived\]/);

    const unknown = harvester(['--config', 'etc/harvester.cfg', ...set, 'qconf', 'show', 'NOPE']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no queue "NOPE" in the queue config \(queues: DUMMY_PUSH, DUMMY_PULL, LOCAL_DEMO\)/);
  });
});
