import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors';
import { loadSystemConfig } from '../../src/config/load';
import { substituteJson, substituteVars } from '../../src/config/substitute';

const ctx = { file: 'x.cfg', source: 'x.cfg:3', section: 'db', key: 'database_filename' };
const env = { HOME: '/home/me', USER: 'me' };

describe('substituteVars', () => {
  it('replaces ${VAR} and $VAR inside the value, keeping the rest', () => {
    expect(substituteVars('${HOME}/x', env, ctx)).toBe('/home/me/x');
    expect(substituteVars('$HOME/x/$USER.db', env, ctx)).toBe('/home/me/x/me.db');
    expect(substituteVars('pre-${USER}-post', env, ctx)).toBe('pre-me-post');
  });

  it('leaves $(TITLE), a lone $ and $$ as literal', () => {
    expect(substituteVars('/dev/shm/$(TITLE)_fifo.db', env, ctx)).toBe('/dev/shm/$(TITLE)_fifo.db');
    expect(substituteVars('cost $5 and $$HOME', env, ctx)).toBe('cost $5 and $HOME');
  });

  it('falls back to the short host name for HOSTNAME', () => {
    expect(substituteVars('${HOSTNAME}', {}, ctx)).toBe(os.hostname().split('.')[0]);
  });

  it('refuses an undefined variable, naming file, section, key and variable', () => {
    expect(() => substituteVars('${NOPE_XYZ}/x', env, ctx)).toThrow(ConfigError);
    expect(() => substituteVars('${NOPE_XYZ}/x', env, ctx)).toThrow(/^x\.cfg:3: \[db\] database_filename: environment variable NOPE_XYZ is not defined/);
    expect(() => substituteVars('${bad-name}', env, ctx)).toThrow(/malformed variable reference/);
  });

  it('substitutes strings nested in JSON, not keys', () => {
    expect(substituteJson({ $HOME: ['${HOME}/a', 1, { b: '$USER' }] }, env, ctx)).toEqual({ $HOME: ['/home/me/a', 1, { b: 'me' }] });
  });
});

describe('substitution while loading', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-subst-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('expands ${HOME}/x to the full path in a file value, lists and JSON', async () => {
    const file = path.join(dir, 'h.cfg');
    fs.writeFileSync(
      file,
      '[master]\nharvester_id = id-$USER\n[db]\ndatabase_filename = ${HOME}/x\n[qconf]\nqueueList =\n ${USER}_Q\n' +
        'resolverConfig =\n  {"path": "${HOME}/r.json", "q": "a\\"b"}\n',
    );
    const { config } = await loadSystemConfig({ file, env: { HOME: '/home/me', USER: 'me' }, fetchRemote: false });
    expect(config.db.database_filename).toBe('/home/me/x');
    expect(config.master.harvester_id).toBe('id-me');
    expect(config.qconf.queueList).toEqual(['me_Q']);
    expect(config.qconf.resolverConfig).toEqual({ path: '/home/me/r.json', q: 'a"b' });
  });

  it('does not substitute environment values (a password may contain $)', async () => {
    const file = path.join(dir, 'h.cfg');
    fs.writeFileSync(file, '[master]\nharvester_id = h\n');
    const { config } = await loadSystemConfig({ file, env: { HARVESTER_DB_PASSWORD: 'pa$word' }, fetchRemote: false });
    expect(config.db.password).toBe('pa$word');
  });
});
