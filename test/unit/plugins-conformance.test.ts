import { describe } from 'vitest';
import { PluginFactory, type PluginCategory, type PluginTypes } from '../../src/plugins';
import {
  communicatorConformance, credManagerConformance, fifoConformance, messengerConformance, monitorConformance,
  preparatorConformance, stagerConformance, submitterConformance, sweeperConformance, throttlerConformance,
  workerMakerConformance, zipperConformance,
} from '../conformance';
import { makeWorkerSpec } from '../conformance/fixtures';

// Every dummy goes through the factory, as an agent would get it, so the
// suites also cover resolution and attribute validation of the built-ins.
const factory = new PluginFactory();
let n = 0;
function dummy<C extends PluginCategory>(category: C, attrs: Record<string, unknown> = {}): () => Promise<PluginTypes[C]> {
  return () => factory.create({ category, queueName: 'CONF_Q', config: { module: 'dummy', name: NAMES[category], ...attrs } });
}
const NAMES: Record<PluginCategory, string> = {
  submitter: 'DummySubmitter', monitor: 'DummyMonitor', sweeper: 'DummySweeper', preparator: 'DummyPreparator',
  stager: 'DummyStager', messenger: 'DummyMessenger', workerMaker: 'DummyWorkerMaker', credManager: 'DummyCredManager',
  throttler: 'DummyThrottler', zipper: 'DummyZipper', communicator: 'DummyCommunicator', fifo: 'DummyFifo',
};

async function submitted(count: number) {
  const submitter = await dummy('submitter')();
  const ws = Array.from({ length: count }, () => makeWorkerSpec());
  const results = await submitter.submitWorkers(ws);
  return ws.map((w, i) => ({ ...w, status: 'submitted' as const, batchID: results[i].batchID ?? null, submitTime: new Date() }));
}

describe('dummy plugins pass their conformance suites', () => {
  submitterConformance(dummy('submitter'));
  submitterConformance(dummy('submitter', { failureRate: 0.5, seed: 3 }), { name: 'submitter, half failing' });
  submitterConformance(dummy('submitter', { failureRate: 1, temporaryFailures: false }), { name: 'submitter, all failing' });

  monitorConformance(dummy('monitor'), { submitWorkers: submitted });
  monitorConformance(dummy('monitor', { runAfter: 60, finishAfter: 60, unknownRate: 0.3, failureRate: 0.5 }), { name: 'monitor, slow and flaky', submitWorkers: submitted });

  sweeperConformance(dummy('sweeper'), { submitWorkers: submitted });
  sweeperConformance(dummy('sweeper', { failureRate: 0.5, seed: 1 }), { name: 'sweeper, half failing', submitWorkers: submitted });

  preparatorConformance(dummy('preparator'));
  preparatorConformance(dummy('preparator', { stageInTime: 0.05 }), { name: 'preparator, with transfer time' });
  preparatorConformance(dummy('preparator', { failureRate: 1 }), { name: 'preparator, all failing' });

  stagerConformance(dummy('stager'));
  stagerConformance(dummy('stager', { transferTime: 0.05, failureRate: 0.5, seed: 2 }), { name: 'stager, slow and flaky' });

  zipperConformance(dummy('zipper'));
  zipperConformance(dummy('zipper', { failureRate: 1 }), { name: 'zipper, all failing' });

  messengerConformance(() => dummy('messenger', { stateKey: `conf-${++n}` })());
  messengerConformance(() => dummy('messenger', { stateKey: `conf-${++n}`, writeFiles: true, failureRate: 1 })(), { name: 'messenger, files and failing post-processing' });

  workerMakerConformance(dummy('workerMaker'));
  workerMakerConformance(dummy('workerMaker', { failureRate: 1, nJobsPerWorker: 4, maxWorkersPerJobPerCycle: 2 }), { name: 'workerMaker, all failing' });

  credManagerConformance(dummy('credManager'));
  credManagerConformance(dummy('credManager', { failureRate: 1 }), { name: 'credManager, renewal failing' });

  throttlerConformance(dummy('throttler'));
  throttlerConformance(dummy('throttler', { throttleRate: 0.5 }), { name: 'throttler, random' });

  communicatorConformance(() => dummy('communicator', { stateKey: `conf-${++n}`, nEventsPerJob: 3 })());
  communicatorConformance(() => dummy('communicator', { stateKey: `conf-${++n}`, failureRate: 1 })(), { name: 'communicator, all calls failing', expectSuccess: false });

  fifoConformance(() => dummy('fifo', { title: `conf-${++n}` })());
});
