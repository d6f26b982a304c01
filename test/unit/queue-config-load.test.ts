import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatProblem, loadQueueConfig, loadQueueConfigFiles, sourceFromDocument, type GoodQueue, type JsonObject, type LoadResult,
  type QueueConfigSource, type SourceKind,
} from '../../src/queue-config';
import { defaultPluginChecker } from '../../src/queue-config/plugin-check';

const root = path.resolve(__dirname, '../..');
const fixture = (f: string): string => path.join(root, 'test/fixtures/queue-config', f);

function good(result: LoadResult, queue: string): GoodQueue {
  const q = result.queues.get(queue);
  if (!q) throw new Error(`no queue ${queue}`);
  if (!q.ok) throw new Error(`queue ${queue} broken: ${q.broken}`);
  return q;
}

function src(label: string, kind: SourceKind, data: JsonObject): QueueConfigSource {
  return { label, kind, data };
}

const plugins = (mod = 'dummy'): JsonObject => ({
  preparator: { module: mod, name: 'DummyPreparator' },
  submitter: { module: mod, name: 'DummySubmitter', nCorePerNode: 8, logDir: '/tmp/logs' },
  workerMaker: { module: mod, name: 'DummyWorkerMaker' },
  messenger: { module: mod, name: 'DummyMessenger', accessPoint: '/tmp/${workerID}' },
  stager: { module: mod, name: 'DummyStager' },
  monitor: { module: mod, name: 'DummyMonitor' },
  sweeper: { module: mod, name: 'DummySweeper' },
});

describe('queue config: the sample etc/panda_queueconfig.json', () => {
  it('loads the dummy queues resolved from the template and the demo queue, plugins checked by the real factory', async () => {
    const result = await loadQueueConfigFiles([{ path: path.join(root, 'etc/panda_queueconfig.json') }], { checkPlugin: defaultPluginChecker() });
    expect(result.problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
    expect([...result.queues.keys()].sort()).toEqual(['DUMMY_PULL', 'DUMMY_PUSH', 'LOCAL_DEMO']);
    expect(result.templates).toEqual(['DUMMY_TEMPLATE']);
    const push = good(result, 'DUMMY_PUSH').config;
    const pull = good(result, 'DUMMY_PULL').config;
    expect(push.mapType).toBe('OneToOne');
    expect(push.nQueueLimitJob).toBe(10);
    expect(pull.mapType).toBe('NoJob');
    expect(pull.noHeartbeat).toBe('running,transferring,finished,failed');
    expect(push.submitter).toMatchObject({ module: 'dummy', name: 'DummySubmitter', queueName: 'DUMMY_PUSH', siteName: 'DUMMY_PUSH' });
    expect(push.templateQueueName).toBe('DUMMY_TEMPLATE');
  });
});

describe('queue config: an original-style file', () => {
  it('loads unchanged (structure; the original module names are the plugin factory\'s business)', async () => {
    const result = await loadQueueConfigFiles([{ path: fixture('original-grid.json') }]);
    expect(result.problems.filter((p) => p.severity === 'error').map(formatProblem)).toEqual([]);
    const sphenix = good(result, 'BNL_OSG_SPHENIX').config;
    expect(sphenix.queueStatus).toBe('offline');
    expect(sphenix.mapType).toBe('NoJob');
    expect(sphenix.truePilot).toBe(true);
    // queue's submitter keys merged into the template's, key by key
    expect(sphenix.submitter).toMatchObject({
      module: 'pandaharvester.harvestersubmitter.htcondor_submitter', nProcesses: 8,
      templateFile: '/opt/condor/grid_submit_pilot_pull_sphenix.sdf', x509UserProxy: '/data/sphenix.proxy',
    });
    expect(sphenix.credmanagers).toHaveLength(1);
    expect(sphenix.common).toEqual({ k8s_namespace: 'default' });
    const cern = good(result, 'CERN-PROD/SCORE').config;
    expect(cern.siteName).toBe('CERN-PROD');
    expect(cern.resourceType).toBe('SCORE');
    expect(cern.uniqueName).toBe('CERN-PROD/SCORE:SCORE:test');
    expect(cern.getJobCriteria).toEqual({ cloud: 'CERN', computingSite: 'CERN-PROD' });
    expect(cern.messenger.siteName).toBe('CERN-PROD');
    expect(cern.messenger.queueName).toBe('CERN-PROD/SCORE');
    // `_TEMPLATE` entries are templates, not queues
    expect(result.queues.has('CERN_TEST_TEMPLATE')).toBe(false);
  });

  it('with an unknown attribute fails naming file, queue and attribute', async () => {
    const file = fixture('original-unknown-attribute.json');
    const result = await loadQueueConfigFiles([{ path: file }]);
    const q = result.queues.get('CERN-PROD/SCORE');
    expect(q?.ok).toBe(false);
    const messages = result.problems.filter((p) => p.severity === 'error').map(formatProblem);
    expect(messages).toEqual([`${file}: queue "CERN-PROD/SCORE", attribute "maxWorkerz": unknown attribute (did you mean "maxWorkers"?)`]);
    expect(result.queues.get('BNL_OSG_SPHENIX')?.ok).toBe(true);
  });

  it('reports a JSON syntax error with file, line and column', async () => {
    const file = fixture('syntax-error.json');
    const result = await loadQueueConfigFiles([{ path: file }]);
    expect(result.failedSources).toHaveLength(1);
    expect(formatProblem(result.problems[0]!)).toMatch(new RegExp(`^${file}: invalid JSON at line 5, column 3 .*trailing comma`));
  });
});

describe('queue config: types and values', () => {
  it('rejects wrong types, unknown mapType, derived attributes and non-plugin sections, all at once', async () => {
    const result = await loadQueueConfig([src('f.json', 'file', {
      Q: { ...plugins(), maxWorkers: '5', mapType: 'OneToTwo', truePilot: 'yes', queueName: 'X', zipper: 'no', credmanagers: {} },
    })]);
    const q = result.queues.get('Q');
    expect(q?.ok).toBe(false);
    const byAttr = Object.fromEntries(result.problems.filter((p) => p.severity === 'error').map((p) => [p.attribute, p.reason]));
    expect(byAttr.maxWorkers).toMatch(/expected an integer, got string "5"/);
    expect(byAttr.mapType).toMatch(/unknown value "OneToTwo"; expected one of NoJob, OneToOne, OneToMany, ManyToOne/);
    expect(byAttr.truePilot).toMatch(/expected true or false/);
    expect(byAttr.queueName).toMatch(/set by the mapper/);
    expect(byAttr.zipper).toMatch(/expected a plugin section/);
    expect(byAttr.credmanagers).toMatch(/expected a list of plugin sections/);
  });

  it('requires the mandatory plugin sections and module/name after merging', async () => {
    const { sweeper: _s, ...withoutSweeper } = plugins();
    const result = await loadQueueConfig([src('f.json', 'file', { Q: { ...withoutSweeper, monitor: { name: 'DummyMonitor' } } })]);
    const reasons = result.problems.map((p) => `${p.attribute}: ${p.reason}`);
    expect(reasons).toContainEqual(expect.stringMatching(/^sweeper: mandatory plugin section missing/));
    expect(reasons).toContainEqual(expect.stringMatching(/^monitor: plugin section needs a non-empty string module/));
  });

  it('nulls job limits for NoJob and sanitizes limits with warnings', async () => {
    const result = await loadQueueConfig([src('f.json', 'file', {
      Q: { ...plugins(), mapType: 'NoJob', nQueueLimitJob: 5, maxWorkers: 10, nQueueLimitWorker: 50, maxNewWorkersPerCycle: -1 },
    })]);
    const q = good(result, 'Q');
    expect(q.config.nQueueLimitJob).toBeNull();
    expect(q.config.nQueueLimitWorker).toBe(10);
    expect(q.config.maxNewWorkersPerCycle).toBe(0);
    expect(q.problems.map((p) => p.attribute).sort()).toEqual(['maxNewWorkersPerCycle', 'nQueueLimitWorker']);
    expect(q.origins.get('nQueueLimitJob')).toEqual({ kind: 'derived' });
  });

  it('turns a plugin the factory rejects into a problem naming queue, section and module', async () => {
    const result = await loadQueueConfig(
      [src('f.json', 'file', { Q: { ...plugins(), submitter: { module: 'dummy', name: 'NoSuchSubmitter' } } })],
      { checkPlugin: defaultPluginChecker() },
    );
    expect(result.queues.get('Q')?.ok).toBe(false);
    const p = result.problems.find((x) => x.attribute === 'submitter');
    expect(p && formatProblem(p)).toMatch(/^f\.json: queue "Q", attribute "submitter": submitter plugin module "dummy" name "NoSuchSubmitter": no export "NoSuchSubmitter"/);
  });

  it('uses an injected checker with the section, common block and trust of the source', async () => {
    const seen: string[] = [];
    await loadQueueConfig([
      src('local.json', 'file', { Q: { ...plugins(), common: { k: 1 } } }),
      src('http://remote', 'remote', { Q: { submitter: { module: 'other', name: 'S' } } }),
    ], {
      checkPlugin: async (queue, category, cfg, ctx) => {
        seen.push(`${queue} ${category} ${ctx.section} ${cfg.module} trusted=${ctx.trustedPaths} common=${JSON.stringify(ctx.common)}`);
      },
    });
    expect(seen).toContain('Q submitter submitter other trusted=false common={"k":1}');
    expect(seen).toContain('Q monitor monitor dummy trusted=true common={"k":1}');
  });
});

describe('queue config: templates, common and merging', () => {
  const template = { isTemplateQueue: true, maxWorkers: 10, prodSourceLabel: 'managed', common: { a: 1, b: 2 }, ...plugins() };

  it('merges plugin sections and common key by key, replaces the rest, and records origins', async () => {
    const result = await loadQueueConfig([src('local.json', 'file', {
      T: template,
      Q: { templateQueueName: 'T', maxWorkers: 3, common: { b: 3 }, submitter: { nCorePerNode: 16 } },
    })]);
    const q = good(result, 'Q');
    expect(q.config.maxWorkers).toBe(3);
    expect(q.config.common).toEqual({ a: 1, b: 3 });
    expect(q.config.submitter).toMatchObject({ module: 'dummy', name: 'DummySubmitter', nCorePerNode: 16, logDir: '/tmp/logs' });
    expect(q.origins.get('maxWorkers')).toEqual({ kind: 'file', source: 'local.json' });
    expect(q.origins.get('submitter.logDir')).toEqual({ kind: 'template', source: 'local.json', template: 'T' });
    expect(q.origins.get('submitter.nCorePerNode')).toEqual({ kind: 'file', source: 'local.json' });
    expect(q.origins.get('prodSourceLabel')).toMatchObject({ kind: 'template' });
    expect(q.origins.get('maxSubmissionAttempts')).toEqual({ kind: 'default' });
    expect(q.config.maxSubmissionAttempts).toBe(3);
    expect(result.queues.has('T')).toBe(false);
  });

  it('treats a name ending in _TEMPLATE as a template and rejects an unknown templateQueueName', async () => {
    const { isTemplateQueue: _t, ...bare } = template;
    const result = await loadQueueConfig([src('local.json', 'file', {
      SITE_TEMPLATE: bare,
      A: { templateQueueName: 'SITE_TEMPLATE' },
      B: { templateQueueName: 'MISSING' },
    })]);
    expect(result.queues.has('SITE_TEMPLATE')).toBe(false);
    expect(good(result, 'A').config.maxWorkers).toBe(10);
    const b = result.queues.get('B');
    expect(b?.ok).toBe(false);
    expect(b && !b.ok && b.broken).toMatch(/templateQueueName: template "MISSING" not found .*known: SITE_TEMPLATE/);
    // one error, not one per missing plugin section
    expect(b?.problems.filter((p) => p.severity === 'error')).toHaveLength(1);
  });

  it('reports problems of unused templates', async () => {
    const result = await loadQueueConfig([src('local.json', 'file', { T_TEMPLATE: { maxWorkerz: 1 } })]);
    expect(result.problems.map(formatProblem)).toEqual(['local.json: queue "T_TEMPLATE", attribute "maxWorkerz": unknown attribute (did you mean "maxWorkers"?)']);
  });
});

describe('queue config: remote over local', () => {
  const local = { T: { isTemplateQueue: true, ...plugins() }, Q: { templateQueueName: 'T', maxWorkers: 5, nQueueLimitWorker: 2, credmanagers: [{ module: 'dummy', name: 'DummyCredManager' }] } };

  it('remote wins where both set a value; plugin keys merge; origins say remote', async () => {
    const result = await loadQueueConfig([
      src('/etc/panda/q.json', 'file', local),
      src('https://cfg.example/q.json', 'remote', { Q: { maxWorkers: 50, submitter: { nCorePerNode: 32 } } }),
    ]);
    const q = good(result, 'Q');
    expect(q.config.maxWorkers).toBe(50);
    expect(q.config.nQueueLimitWorker).toBe(2);
    expect(q.config.submitter).toMatchObject({ module: 'dummy', nCorePerNode: 32, logDir: '/tmp/logs' });
    expect(q.origins.get('maxWorkers')).toEqual({ kind: 'remote', source: 'https://cfg.example/q.json' });
    expect(q.origins.get('nQueueLimitWorker')).toEqual({ kind: 'file', source: '/etc/panda/q.json' });
  });

  it('source order given by the caller does not matter: remote is applied last', async () => {
    const result = await loadQueueConfig([
      src('https://cfg.example/q.json', 'remote', { Q: { maxWorkers: 50 } }),
      src('/etc/panda/q.json', 'file', local),
    ]);
    expect(good(result, 'Q').config.maxWorkers).toBe(50);
  });

  it('keeps local-only attributes local and a local template over a remote one of the same name', async () => {
    const result = await loadQueueConfig([
      src('/etc/panda/q.json', 'file', local),
      src('https://cfg.example/q.json', 'remote', {
        T: { isTemplateQueue: true, ...plugins('remote-module') },
        Q: { credmanagers: [{ module: 'evil', name: 'StealProxy' }] },
        R: { templateQueueName: 'T', credmanagers: [{ module: 'evil', name: 'StealProxy' }] },
      }),
    ]);
    const q = good(result, 'Q');
    expect(q.config.credmanagers).toEqual([{ module: 'dummy', name: 'DummyCredManager' }]);
    expect(q.config.submitter.module).toBe('dummy');
    expect(good(result, 'R').config.credmanagers).toEqual([]);
    const warnings = result.problems.filter((p) => p.severity === 'warning').map(formatProblem);
    expect(warnings).toContain('warning: https://cfg.example/q.json: queue "Q", attribute "credmanagers": local-only attribute: the remote value is ignored, the local file decides');
  });

  it('a remote document that is not a queue map is a failed source', () => {
    expect(sourceFromDocument('u', 'remote', '[1,2]')).toEqual({ label: 'u', kind: 'remote', error: expect.stringMatching(/expected a JSON object/) });
    expect(sourceFromDocument('u', 'remote', '{"Q": 3}')).toMatchObject({ error: expect.stringMatching(/queue "Q": expected an object/) });
  });
});
