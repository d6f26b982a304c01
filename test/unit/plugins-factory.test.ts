import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { PluginError, PluginFactory, builtinCandidates, listBuiltins, type PluginRequest } from '../../src/plugins';
import { DummyMonitor } from '../../plugins/monitor/dummy';
import { DummySubmitter } from '../../plugins/submitter/dummy';
import { PickySubmitter } from '../fixtures/plugins/root/submitter/picky';

const FIXTURES = path.resolve(__dirname, '../fixtures/plugins');
const FIXTURE_ROOT = path.join(FIXTURES, 'root');

const req = (module: string, name: string, extra: Partial<PluginRequest<'submitter'>> = {}, attrs: Record<string, unknown> = {}): PluginRequest<'submitter'> => ({
  category: 'submitter', queueName: 'SITE_A/SCORE', configID: 1, config: { module, name, ...attrs }, ...extra,
});

/** Asserts a PluginError of `code` whose message names queue, agent and module. */
async function expectPluginError(p: Promise<unknown>, code: string, mentions: string[] = []): Promise<PluginError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err, 'expected a PluginError').toBeInstanceOf(PluginError);
  const e = err as PluginError;
  expect(e.code).toBe(code);
  expect(e.message).toContain('queue "SITE_A/SCORE"');
  expect(e.message).toContain('agent "submitter"');
  expect(e.message).toContain(`module "${e.module}"`);
  for (const m of mentions) expect(e.message).toContain(m);
  return e;
}

describe('module name mapping', () => {
  it('maps original module names onto our file names', () => {
    expect(builtinCandidates('dummy', 'submitter')).toEqual(['dummy']);
    expect(builtinCandidates('pandaharvester.harvestersubmitter.slurm_submitter', 'submitter')).toEqual(['slurm_submitter', 'slurm-submitter', 'slurm']);
    expect(builtinCandidates('shared_file_messenger', 'messenger')).toContain('shared-file');
    expect(builtinCandidates('no_voms_cred_manager', 'credManager')).toContain('no-voms');
    expect(builtinCandidates('simple_worker_maker', 'workerMaker')).toContain('simple');
    expect(builtinCandidates('../evil', 'submitter')).toEqual([]);
  });

  it('lists the built-ins of a category', () => {
    expect(listBuiltins('submitter')).toContain('dummy');
    expect(listBuiltins('workerMaker')).toContain('dummy');
  });
});

describe('resolution', () => {
  const factory = new PluginFactory();

  it('resolves a built-in from plugins/<category>/', async () => {
    const r = await factory.resolve(req('dummy', 'DummySubmitter'));
    expect(r.source).toBe('builtin');
    expect(r.file).toBe(path.resolve(__dirname, '../../plugins/submitter/dummy.ts'));
    expect(await factory.create(req('dummy', 'DummySubmitter'))).toBeInstanceOf(DummySubmitter);
  });

  it('resolves the original dotted and suffixed module names', async () => {
    expect(await factory.create(req('pandaharvester.harvestersubmitter.dummy_submitter', 'DummySubmitter'))).toBeInstanceOf(DummySubmitter);
    expect(await factory.create(req('dummy_submitter', 'DummySubmitter'))).toBeInstanceOf(DummySubmitter);
    const monitor = await factory.create({ category: 'monitor', queueName: 'Q', config: { module: 'pandaharvester.harvestermonitor.dummy_monitor', name: 'DummyMonitor' } });
    expect(monitor).toBeInstanceOf(DummyMonitor);
  });

  it('resolves an absolute path from a trusted (local) config', async () => {
    const file = path.join(FIXTURES, 'local/site-submitter.js');
    const plugin = await factory.create(req(file, 'SiteSubmitter', { trustedPaths: true }, { prefix: 'x-' }));
    expect(await plugin.submitWorkers([{ workerID: 7, status: 'pending', computingSite: 'SITE_A/SCORE' }])).toEqual([{ status: 'submitted', batchID: 'x-7', diag: '' }]);
  });

  it('resolves a relative path against the config file directory, then the cwd', async () => {
    const fromConfig = await factory.resolve(req('./local/site-submitter', 'SiteSubmitter', { trustedPaths: true, configFile: path.join(FIXTURES, 'queues.json') }));
    expect(fromConfig.file).toBe(path.join(FIXTURES, 'local/site-submitter.js'));
    expect(fromConfig.source).toBe('path');
    const cwdFactory = new PluginFactory({ cwd: FIXTURES });
    const fromCwd = await cwdFactory.resolve(req('./local/site-submitter.js', 'SiteSubmitter', { trustedPaths: true }));
    expect(fromCwd.file).toBe(path.join(FIXTURES, 'local/site-submitter.js'));
  });

  it('refuses path modules from an untrusted (remote) config', async () => {
    const file = path.join(FIXTURES, 'local/site-submitter.js');
    const e = await expectPluginError(factory.create(req(file, 'SiteSubmitter')), 'PATH_NOT_ALLOWED', ['remote']);
    expect(e.module).toBe(file);
    await expectPluginError(factory.create(req('../fixtures/x', 'X', { trustedPaths: false })), 'PATH_NOT_ALLOWED');
  });

  describe('npm packages', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-plugin-pkg-'));
    const pkgDir = path.join(tmp, 'node_modules', '@site', 'harvester-plugins');
    fs.mkdirSync(pkgDir, { recursive: true });
    fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ name: '@site/harvester-plugins', version: '1.0.0', main: 'lib/index.js' }));
    fs.mkdirSync(path.join(pkgDir, 'lib'));
    fs.writeFileSync(path.join(pkgDir, 'lib/index.js'), `'use strict';
class SiteMonitor {
  constructor(attrs) { this.status = attrs.status; }
  async checkWorkers(ws) { return ws.map(() => ({ status: this.status, diag: 'from package' })); }
}
SiteMonitor.attributes = { status: { type: 'string', enum: ['running', 'finished'], default: 'running', doc: 'status to report' } };
exports.SiteMonitor = SiteMonitor;
`);
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const pkgFactory = new PluginFactory({ packagePaths: [tmp] });
    const monitorReq = (attrs: Record<string, unknown> = {}) => ({
      category: 'monitor' as const, queueName: 'SITE_A/SCORE', configID: 1, config: { module: '@site/harvester-plugins', name: 'SiteMonitor', ...attrs },
    });

    it('resolves an installed package by name, also from a remote config', async () => {
      const r = await pkgFactory.resolve(monitorReq());
      expect(r.source).toBe('package');
      expect(r.file).toBe(fs.realpathSync(path.join(pkgDir, 'lib/index.js')));
      const monitor = await pkgFactory.create(monitorReq({ status: 'finished' }));
      expect(await monitor.checkWorkers([{ workerID: 1, status: 'running', computingSite: 'Q' }])).toEqual([{ status: 'finished', diag: 'from package' }]);
    });

    it('validates package plugins like built-ins', async () => {
      const e = await pkgFactory.create(monitorReq({ status: 'exploded' })).catch((x: unknown) => x as PluginError);
      expect(e).toBeInstanceOf(PluginError);
      expect((e as PluginError).code).toBe('INVALID_ATTRIBUTES');
      expect((e as PluginError).message).toMatch(/agent "monitor".*module "@site\/harvester-plugins".*attribute "status" must be one of running, finished/);
    });

    it('does not find it without the package path', async () => {
      await expect(new PluginFactory().resolve(monitorReq())).rejects.toMatchObject({ code: 'MODULE_NOT_FOUND' });
    });
  });
});

describe('errors name queue, agent and module', () => {
  const factory = new PluginFactory({ pluginRoot: FIXTURE_ROOT });

  it('missing module', async () => {
    const e = await expectPluginError(factory.create(req('nosuchplugin', 'Whatever')), 'MODULE_NOT_FOUND', ['nosuchplugin', 'available: broken, picky']);
    expect(e.pluginName).toBe('Whatever');
  });

  it('missing export', async () => {
    await expectPluginError(factory.create(req('picky', 'NoSuchClass')), 'EXPORT_NOT_FOUND', ['name "NoSuchClass"', 'no export "NoSuchClass"', 'PickySubmitter']);
  });

  it('constructor rejecting an attribute', async () => {
    const e = await expectPluginError(factory.create(req('picky', 'PickySubmitter', {}, { endpoint: 'e', limit: 11 })), 'CONSTRUCTOR_FAILED', ['attribute "limit" must be at most 10']);
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('unknown, ill-typed and missing attributes, all at once', async () => {
    const e = await expectPluginError(
      factory.create(req('picky', 'PickySubmitter', {}, { limit: '5', colour: 'red', mode: 'warp' })),
      'INVALID_ATTRIBUTES',
      ['attribute "limit" must be an integer, got string "5"', 'attribute "colour" is unknown', 'attribute "mode" must be one of fast, slow', 'attribute "endpoint" is required but missing'],
    );
    expect(e.attributes.sort()).toEqual(['colour', 'endpoint', 'limit', 'mode']);
  });

  it('a module that throws while loading', async () => {
    await expectPluginError(factory.create(req('broken', 'X')), 'LOAD_FAILED', ['dependency "left-pad" missing']);
  });

  it('exports that are not plugins', async () => {
    await expectPluginError(factory.create(req('picky', 'Undeclared')), 'NOT_A_PLUGIN', ['static "attributes"']);
    await expectPluginError(factory.create(req('picky', 'Incomplete')), 'NOT_A_PLUGIN', ['missing submitWorkers']);
  });

  it('an entry without module or name', async () => {
    await expectPluginError(factory.create(req('', 'X')), 'INVALID_CONFIG');
  });

  it('names the section when it differs from the category', async () => {
    const e = await factory.create({ ...req('nosuch', 'X'), category: 'submitter', section: 'aux_submitter' }).catch((x: unknown) => x as PluginError);
    expect((e as PluginError).message).toContain('section "aux_submitter"');
  });
});

describe('attributes', () => {
  const factory = new PluginFactory({ pluginRoot: FIXTURE_ROOT, harvesterID: 'h1' });

  it('fills defaults, injects queueName/siteName, and applies declared common keys only', async () => {
    const p = (await factory.create({
      ...req('picky', 'PickySubmitter', {}, { endpoint: 'e1' }),
      common: { label: 'from-common', payloadType: 'atlas' },
    })) as unknown as PickySubmitter;
    expect(p.attrs).toEqual({ endpoint: 'e1', limit: 5, mode: 'fast', label: 'from-common', queueName: 'SITE_A/SCORE', siteName: 'SITE_A' });
    expect(p.ctx).toMatchObject({ queueName: 'SITE_A/SCORE', siteName: 'SITE_A', configID: 1, category: 'submitter', section: 'submitter', harvesterID: 'h1' });
  });

  it('an entry value wins over common; an explicit queueName is kept', async () => {
    const p = (await factory.create({
      ...req('picky', 'PickySubmitter', {}, { endpoint: 'e1', label: 'mine', queueName: 'OTHER' }),
      common: { label: 'from-common' },
    })) as unknown as PickySubmitter;
    expect(p.attrs.label).toBe('mine');
    expect(p.attrs.queueName).toBe('OTHER');
  });

  it('accepts the attributes agents read for the category (messenger accessPoint)', async () => {
    const m = await new PluginFactory().create({ category: 'messenger', queueName: 'Q', config: { module: 'dummy', name: 'DummyMessenger', accessPoint: '/tmp/w/${workerID}', worker_heartbeat: 30 } });
    expect(typeof m.feedJobs).toBe('function');
    await expect(new PluginFactory().create({ category: 'messenger', queueName: 'Q', config: { module: 'dummy', name: 'DummyMessenger', worker_heartbeat: 'often' } }))
      .rejects.toMatchObject({ code: 'INVALID_ATTRIBUTES', attributes: ['worker_heartbeat'] });
  });

  it('a static validate replaces the schema', async () => {
    const p = (await factory.create(req('picky', 'FreeFormSubmitter', {}, { anything: [1, 2] }))) as unknown as { attrs: Record<string, unknown> };
    expect(p.attrs).toMatchObject({ anything: [1, 2], validated: true, queueName: 'SITE_A/SCORE' });
    await expectPluginError(factory.create(req('picky', 'FreeFormSubmitter', {}, { forbidden: 1 })), 'CONSTRUCTOR_FAILED', ['"forbidden" is not allowed']);
  });
});

describe('caching per queue, configID and section', () => {
  let factory: PluginFactory;
  beforeEach(() => {
    factory = new PluginFactory({ pluginRoot: FIXTURE_ROOT });
    PickySubmitter.constructed = 0;
    PickySubmitter.closed = 0;
  });
  const picky = (queueName: string, configID: number | null, section?: string) => ({
    category: 'submitter' as const, queueName, configID, section, config: { module: 'picky', name: 'PickySubmitter', endpoint: 'e' },
  });

  it('returns the same instance for the same queue and configID, a new one after the configID changes', async () => {
    const a = await factory.get(picky('Q1', 1));
    const b = await factory.get(picky('Q1', 1));
    expect(b).toBe(a);
    const c = await factory.get(picky('Q1', 2));
    expect(c).not.toBe(a);
    // The old version stays available for workers submitted under it.
    expect(await factory.get(picky('Q1', 1))).toBe(a);
    expect(await factory.get(picky('Q2', 1))).not.toBe(a);
    expect(await factory.get(picky('Q1', 1, 'aux'))).not.toBe(a);
    expect(PickySubmitter.constructed).toBe(4);
  });

  it('concurrent gets construct once', async () => {
    const all = await Promise.all(Array.from({ length: 5 }, () => factory.get(picky('Q1', 7))));
    expect(new Set(all).size).toBe(1);
    expect(PickySubmitter.constructed).toBe(1);
  });

  it('does not cache without a configID, nor failures', async () => {
    expect(await factory.get(picky('Q1', null))).not.toBe(await factory.get(picky('Q1', null)));
    const bad = { ...picky('Q1', 9), config: { module: 'picky', name: 'PickySubmitter', endpoint: 'e', limit: 99 } };
    await expect(factory.get(bad)).rejects.toBeInstanceOf(PluginError);
    expect(factory.cacheSize).toBe(0);
  });

  it('evict drops old versions of a queue and closes them', async () => {
    const v1 = await factory.get(picky('Q1', 1));
    const v2 = await factory.get(picky('Q1', 2));
    await factory.get(picky('Q2', 1));
    await factory.evict('Q1', [2]);
    expect(PickySubmitter.closed).toBe(1);
    expect(await factory.get(picky('Q1', 2))).toBe(v2);
    expect(await factory.get(picky('Q1', 1))).not.toBe(v1);
    await factory.clear();
    expect(factory.cacheSize).toBe(0);
    expect(PickySubmitter.closed).toBe(4);
  });
});

describe('compiled resolution (dist/)', () => {
  const root = path.resolve(__dirname, '../..');
  const distFactory = path.join(root, 'dist/src/plugins/factory.js');
  // `npm test` builds first (scripts/ensure-built.cjs); a bare `vitest run` may not have dist/.
  it.skipIf(!fs.existsSync(distFactory) && process.env.CI !== 'true')('dist/src/plugins/factory.js loads dist/plugins/<category>/<module>.js from any cwd', async () => {
    const { execFileSync } = await import('node:child_process');
    const script = `
      const { PluginFactory } = require(${JSON.stringify(distFactory)});
      new PluginFactory().resolve({ category: 'monitor', queueName: 'Q', config: { module: 'pandaharvester.harvestermonitor.dummy_monitor', name: 'DummyMonitor' } })
        .then((r) => console.log(JSON.stringify({ source: r.source, file: r.file })), (e) => { console.error(e.message); process.exit(1); });`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: os.tmpdir(), encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ source: 'builtin', file: path.join(root, 'dist/plugins/monitor/dummy.js') });
  });
});
