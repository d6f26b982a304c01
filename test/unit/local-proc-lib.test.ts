import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatBatchID, isAlive, parseBatchID } from '../../plugins/lib/local-proc/batch-id';
import { withHostLock } from '../../plugins/lib/local-proc/host-lock';
import { parseJobSpec } from '../../plugins/lib/local-proc/job-spec';
import { fillTemplate, LaunchError, planLaunch } from '../../plugins/lib/local-proc/launch';
import { readProcStat } from '../../plugins/lib/local-proc/proc';
import { payloadScript, shQuote } from '../../plugins/lib/local-proc/wrapper';
import { makeWorkerSpec } from '../conformance/fixtures';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'local-proc-unit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('local-proc: process identity', () => {
  it('reads field 22 of /proc/<pid>/stat, and a batchID round-trips', () => {
    const st = readProcStat(process.pid);
    expect(st?.startTime).toMatch(/^\d+$/);
    const id = formatBatchID({ pid: process.pid, startTime: st?.startTime as string });
    expect(parseBatchID(id)).toEqual({ pid: process.pid, startTime: st?.startTime });
    expect(isAlive({ pid: process.pid, startTime: st?.startTime as string })).toBe(true);
  });

  it('a reused pid (other start time) is not our process', () => {
    const st = readProcStat(process.pid);
    expect(isAlive({ pid: process.pid, startTime: String(BigInt(st?.startTime as string) + 1n) })).toBe(false);
  });

  it('rejects foreign and queued batchIDs', () => {
    for (const id of ['no-such-batch-id', 'queued:12.ab', '12', '1:5', '', null, undefined]) expect(parseBatchID(id)).toBeNull();
  });

  it('the wrapper\'s shell parsing of /proc agrees with ours, even with ") " in the command name', () => {
    // comm comes from the executable's file name: a copy of sh named with a space and a parenthesis.
    const shell = path.join(tmp, 'odd) sh');
    fs.copyFileSync('/bin/sh', shell);
    fs.chmodSync(shell, 0o755);
    const out = execFileSync(shell, ['-c', 'stat=$(cat "/proc/$$/stat"); rest=${stat##*\') \'}; set -- $rest; echo "$$:${20}"; cat /proc/$$/stat'], { encoding: 'utf8' });
    const [id, raw] = out.split('\n');
    expect(raw).toContain('(odd) sh)');
    const ref = parseBatchID(id);
    expect(ref).not.toBeNull();
    // Our parser on the same text: last ')' then field 22.
    const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    expect(rest[19]).toBe(ref?.startTime);
  });
});

describe('local-proc: launch', () => {
  it('parses JSON and cgi job specs', () => {
    expect(parseJobSpec('{"12":{"PandaID":12,"transformation":"t","jobPars":"a b"}}', '/ap/HPCJobs.json'))
      .toEqual([{ PandaID: 12, params: { PandaID: 12, transformation: 't', jobPars: 'a b' }, dir: '/ap' }]);
    expect(parseJobSpec('PandaID=13&transformation=run&jobPars=x+y%26z', '/ap/f')[0]).toMatchObject({ PandaID: 13, params: { jobPars: 'x y&z' } });
    expect(() => parseJobSpec('{"12": 5}', '/ap/f')).toThrow(/\/ap\/f/);
  });

  it('fills templates, refusing unknown placeholders', () => {
    expect(fillTemplate('{a} {{b}} {c}', { a: '1', c: '{x}' }, 'w')).toBe('1 {b} {x}');
    expect(() => fillTemplate('{nope}', {}, 'worker 5')).toThrow(LaunchError);
  });

  it('quotes for sh whatever the command holds', () => {
    const nasty = `it's "$HOME" \`x\` $(y) \\`;
    expect(execFileSync('/bin/sh', ['-c', `printf %s ${shQuote(nasty)}`], { encoding: 'utf8' })).toBe(nasty);
    const script = payloadScript(1, [{ PandaID: 9, dir: tmp, command: `printf '%s' "$PandaID:it's"` }]);
    expect(execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' })).toBe("9:it's");
  });

  it('passes only listed variables of harvester\'s environment, plus the PanDA ones', () => {
    const ap = fs.mkdtempSync(path.join(tmp, 'ap-'));
    const w = { ...makeWorkerSpec({ workerID: 77 }), accessPoint: ap, hasJob: 0 };
    const plan = planLaunch(w, ap, 'tok', {
      executable: 'run-pilot --worker {workerID}', jobSpecFiles: ['HPCJobs.json'], inheritEnv: ['PATH'], env: { SITE: 'X' },
      harvesterID: 'h1', parentEnv: { PATH: '/bin', HARVESTER_DB_PASSWORD: 'secret' },
    });
    expect(plan.steps).toEqual([{ PandaID: null, dir: ap, command: 'run-pilot --worker 77' }]);
    expect(plan.env).toMatchObject({ PATH: '/bin', SITE: 'X', HARVESTER_ID: 'h1', HARVESTER_WORKER_ID: '77', HARVESTER_ACCESS_POINT: ap });
    expect(plan.env.HARVESTER_DB_PASSWORD).toBeUndefined();
    expect(() => planLaunch(w, ap, 't', { jobSpecFiles: ['HPCJobs.json'], inheritEnv: [], env: {}, harvesterID: '', parentEnv: {} }))
      .toThrow(/no executable attribute/);
  });
});

describe('local-proc: host lock', () => {
  it('serialises holders and breaks the lock of a dead one', async () => {
    const dir = path.join(tmp, 'lock');
    const order: string[] = [];
    await Promise.all([1, 2, 3].map((n) => withHostLock(dir, async () => {
      order.push(`in${n}`);
      await new Promise((r) => setTimeout(r, 20));
      order.push(`out${n}`);
    })));
    for (let i = 0; i < order.length; i += 2) expect(order[i + 1]).toBe(order[i].replace('in', 'out'));
    // pid 2^22+ does not exist: the lock is stale.
    fs.writeFileSync(path.join(dir, 'lock'), '4194999:1 x');
    await expect(withHostLock(dir, () => 'ok', { timeoutMs: 500 })).resolves.toBe('ok');
  });
});
