import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSystemConfig } from '../../src/config/load';
import { maskSecrets, renderConfigJson, renderConfigText } from '../../src/config/print';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-print-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const SECRETS = { file: 'file-pw-8c1f', env: 'env-tok-51aa', cli: 'cli-key-77e0', list: 'incert-9d2b' };

async function loaded() {
  const file = path.join(dir, 'p.cfg');
  fs.writeFileSync(file, `[master]\nharvester_id = print-test\n[db]\npassword = ${SECRETS.file}\n[credmanager]\ninCertFile =\n /x/${SECRETS.list}\n`);
  return loadSystemConfig({
    file,
    env: { HARVESTER_PANDACON_AUTH_TOKEN: SECRETS.env },
    overrides: [`pandacon.key_file=/k/${SECRETS.cli}`, 'monitor.nThreads=5'],
    fetchRemote: false,
  });
}

describe('config print', () => {
  it('masks every set secret and leaves unset ones empty', async () => {
    const masked = maskSecrets(await loaded());
    expect(masked.db.password).toBe('***');
    expect(masked.pandacon.auth_token).toBe('***');
    expect(masked.pandacon.key_file).toBe('***');
    expect(masked.credmanager.inCertFile).toBe('***');
    expect(masked.pandacon.cert_file).toBe('');
    expect(masked.db.engine).toBe('sqlite');
  });

  it('text: values with their origin, no secret value', async () => {
    const text = renderConfigText(await loaded());
    for (const s of Object.values(SECRETS)) expect(text).not.toContain(s);
    expect(text).toMatch(/^password = \*\*\* +# file$/m);
    expect(text).toMatch(/^auth_token = \*\*\* +# env$/m);
    expect(text).toMatch(/^nThreads = 5 +# cli$/m);
    expect(text).toMatch(/^harvester_id = print-test +# file$/m);
    expect(text).toMatch(/^busyTimeout = 30000 +# default$/m);
  });

  it('JSON: {file, config, origins}, no secret value', async () => {
    const l = await loaded();
    const json = renderConfigJson(l);
    for (const s of Object.values(SECRETS)) expect(json).not.toContain(s);
    const parsed = JSON.parse(json) as { file: string; config: Record<string, Record<string, unknown>>; origins: Record<string, string> };
    expect(parsed.file).toBe(l.file);
    expect(parsed.config.db.password).toBe('***');
    expect(parsed.config.monitor.nThreads).toBe(5);
    expect(parsed.origins['pandacon.auth_token']).toBe('env');
    expect(parsed.origins['db.port']).toBe('default');
  });
});
