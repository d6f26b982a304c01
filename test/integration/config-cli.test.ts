import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/master-build';
import { repoRoot } from '../helpers/master-process';

/** Runs the real CLI (compiled JS) as a child process. */
function harvester(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HARVESTER_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(repoRoot, 'bin/harvester.js'), ...args], { cwd: repoRoot, env: { ...clean, ...env } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-cli-'));
const write = (name: string, text: string): string => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};
const DB_PASSWORD = 'pw-4f9a1c-local';
const TOKEN = 'tok-e83b27-env';
const REMOTE_PASSWORD = 'pw-remote-0b5d';

let server: http.Server;
let base = '';

beforeAll(async () => {
  ensureBuilt(['dist/src/cli/main.js', 'dist/src/cli/commands/config.js', 'dist/src/config/load.js']);
  const bodies: Record<string, string> = {
    '/normal.cfg': '[monitor]\nmaxWorkers = 77\n',
    '/password.cfg': `[db]\npassword = ${REMOTE_PASSWORD}\n`,
  };
  server = http.createServer((req, res) => {
    const body = bodies[req.url ?? ''];
    res.writeHead(body ? 200 : 404).end(body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 600_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('harvester config print', () => {
  it('prints an original-style panda_harvester.cfg', async () => {
    const r = await harvester(['--config', 'etc/panda_harvester.cfg.sample', 'config', 'print']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^harvester_id = FIXME +# file$/m);
    expect(r.stdout).toMatch(/^queueList = +# file\n  FIXME_1\n  FIXME_2$/m);
  });

  it('uses HARVESTER_CONFIG and substitutes ${HOME}/x to the full path', async () => {
    const file = write('home.cfg', '[master]\nharvester_id = cli\n[db]\ndatabase_filename = ${HOME}/x\n');
    const r = await harvester(['config', 'print', '--json'], { HARVESTER_CONFIG: file, HOME: '/home/tester' });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { file: string; config: { db: { database_filename: string } }; origins: Record<string, string> };
    expect(out.file).toBe(file);
    expect(out.config.db.database_filename).toBe('/home/tester/x');
    expect(out.origins['db.database_filename']).toBe('file');
  });

  it.each([
    ['unknown key', '[master]\nharvester_id = cli\n[db]\nnConection = 3\n', /\.cfg:4: \[db\] nConection: unknown key \(did you mean nConnections\?\)/],
    ['wrong type', '[master]\nharvester_id = cli\n[db]\nnConnections = ten\n', /\.cfg:4: \[db\] nConnections: expected an integer >= 1, got "ten"/],
    ['unknown section', '[master]\nharvester_id = cli\n[dbx]\nport = 1\n', /\.cfg:3: \[dbx\]: unknown section/],
    ['missing required value', '[db]\nport = 3306\n', /\.cfg: \[master\] harvester_id: a value is required/],
  ])('%s: exit 2, one message naming file, section and key, no stack trace', async (what, text, re) => {
    const file = write(`${what.replace(/ /g, '-')}.cfg`, text);
    const r = await harvester(['--config', file, 'config', 'print']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith(`harvester: ${file}`)).toBe(true);
    expect(r.stderr).toMatch(re);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('missing file: exit 2 naming the file', async () => {
    const file = path.join(dir, 'nope.cfg');
    const r = await harvester(['--config', file, 'config', 'print']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`harvester: ${file}: cannot read the system configuration file (file not found); pass --config FILE or set HARVESTER_CONFIG\n`);
  });

  it('a remote instance config sets a normal key', async () => {
    const file = write('remote-ok.cfg', '[master]\nharvester_id = cli\n');
    const r = await harvester(['--config', file, 'config', 'print', '--json'], { HARVESTER_INSTANCE_CONFIG_URL: `${base}/normal.cfg` });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { config: { monitor: { maxWorkers: number } }; origins: Record<string, string> };
    expect(out.config.monitor.maxWorkers).toBe(77);
    expect(out.origins['monitor.maxWorkers']).toBe('remote');
  });

  it('a remote instance config cannot set the DB password', async () => {
    const file = write('remote-pw.cfg', `[master]\nharvester_id = cli\n[db]\npassword = ${DB_PASSWORD}\n`);
    const url = `${base}/password.cfg`;
    const r = await harvester(['--config', file, 'config', 'print'], { HARVESTER_INSTANCE_CONFIG_URL: url });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(url);
    expect(r.stderr).toContain('[db] password: refused from the remote instance configuration: secrets must come from a local file or the environment');
    expect(r.stderr + r.stdout).not.toContain(REMOTE_PASSWORD);
    expect(r.stderr + r.stdout).not.toContain(DB_PASSWORD);
  });

  it('never shows a secret, in text or JSON, and shows where each value came from', async () => {
    const file = write('secrets.cfg', `[master]\nharvester_id = cli\n[db]\npassword = ${DB_PASSWORD}\n[frontend]\nsecretFile = /etc/${DB_PASSWORD}.key\n`);
    const env = { HARVESTER_PANDACON_AUTH_TOKEN: TOKEN };
    const args = ['--config', file, '--set', 'pandacon.cert_file=/c/cert-from-cli.pem', '--set', 'monitor.nThreads=2', 'config', 'print'];
    const text = await harvester(args, env);
    const json = await harvester([...args, '--json'], env);
    for (const r of [text, json]) {
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain(DB_PASSWORD);
      expect(r.stdout).not.toContain(TOKEN);
      expect(r.stdout).not.toContain('cert-from-cli');
    }
    expect(text.stdout).toMatch(/^password = \*\*\* +# file$/m);
    expect(text.stdout).toMatch(/^auth_token = \*\*\* +# env$/m);
    expect(text.stdout).toMatch(/^cert_file = \*\*\* +# cli$/m);
    expect(text.stdout).toMatch(/^nThreads = 2 +# cli$/m);
    const out = JSON.parse(json.stdout) as { config: { db: { password: string } }; origins: Record<string, string> };
    expect(out.config.db.password).toBe('***');
    expect(out.origins).toMatchObject({ 'db.password': 'file', 'pandacon.auth_token': 'env', 'pandacon.cert_file': 'cli', 'db.engine': 'default' });
  });
});
