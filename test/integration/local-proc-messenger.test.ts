/**
 * The local-process plugins behind the real shared-file messenger, as the
 * submitter agent drives them: setupAccessPoints → feedJobs → submitWorkers,
 * then the monitor. Checks that the job spec the messenger writes is what the
 * submitter runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { PluginFactory } from '../../src/plugins';
import type { Messenger } from '../../src/plugins/messenger';
import { makeJobSpec, makeWorkerSpec } from '../conformance/fixtures';
import { asSubmitted, localPlugin, makeEnv, sleep } from '../fixtures/local-proc/harness';

const env = makeEnv('local-proc-msg-');
afterAll(() => fs.rmSync(env.root, { recursive: true, force: true }));

it('runs the job the shared-file messenger fed, in its access point, and reports its exit code', async () => {
  const messenger = await new PluginFactory().create({
    category: 'messenger', queueName: 'LOCAL_TEST',
    config: { module: 'shared_file', name: 'SharedFileMessenger', accessPoint: `${env.base}/\${workerID}` },
  }) as Messenger;
  const w0 = makeWorkerSpec();
  const job = makeJobSpec({}, 0, 0);
  job.jobParams = { ...job.jobParams, transformation: 'sh', jobPars: `-c 'echo "$PandaID" > mine.txt; exit 3'` };
  const w = { ...w0, accessPoint: path.join(env.base, String(w0.workerID)), pandaIDs: [job.PandaID] };
  await messenger.setupAccessPoints([w]);
  await messenger.feedJobs(w, [job]);

  const [r] = await (await localPlugin('submitter', { stateDir: env.stateDir, pumpInterval: 0 })).submitWorkers([w]);
  expect(r.status, r.diag).toBe('submitted');
  const monitor = await localPlugin('monitor', { stateDir: env.stateDir, pumpInterval: 0 });
  const [sub] = asSubmitted([w], [r.batchID]);
  let check = (await monitor.checkWorkers([sub]))[0];
  for (let i = 0; i < 50 && check.status !== 'failed'; i++) {
    await sleep(100);
    check = (await monitor.checkWorkers([sub]))[0];
  }
  expect(check.status).toBe('failed');
  expect(check.update).toMatchObject({ nativeExitCode: 3, errorCode: 3 });
  expect(fs.readFileSync(path.join(w.accessPoint, 'mine.txt'), 'utf8').trim()).toBe(String(job.PandaID));
});
