import { describe, expect, it } from 'vitest';
import type { Communicator } from '../../src/plugins/communicator';
import { expectDiag, type MakePlugin, type SuiteOptions } from './common';

export interface CommunicatorSuiteOptions extends SuiteOptions {
  /** Site to ask jobs for (default CONFORMANCE_QUEUE). */
  siteName?: string;
  /**
   * The server is expected to answer (`ok: true`) — set false for a
   * communicator configured to fail, where only shapes are checked.
   */
  expectSuccess?: boolean;
}

const isCall = (r: { ok: unknown; diag: unknown }) => {
  expect(typeof r.ok).toBe('boolean');
  expectDiag(r.diag);
  if (r.ok === false) expect((r.diag as string).length, 'a failure must say why').toBeGreaterThan(0);
};

/** Contract of {@link Communicator}: never throws for transport trouble, one answer per item. */
export function communicatorConformance(makePlugin: MakePlugin<Communicator>, opts: CommunicatorSuiteOptions = {}): void {
  const site = opts.siteName ?? 'CONFORMANCE_QUEUE';
  const ok = opts.expectSuccess ?? true;
  const req = (nJobs: number) => ({ siteName: site, node: 'conformance-node', prodSourceLabel: 'managed', computingElement: 'conformance-ce', nJobs });

  describe(opts.name ?? 'communicator conformance', () => {
    it('checkPanda and heartbeat answer with ok/diag', async () => {
      const c = await makePlugin();
      const alive = await c.checkPanda();
      isCall(alive);
      if (ok) expect(alive.ok).toBe(true);
      isCall(await c.heartbeat({ startTime: new Date().toISOString() }));
    }, opts.timeoutMs);

    it('getJobs returns at most nJobs jobs with PandaIDs, none for 0', async () => {
      const c = await makePlugin();
      const none = await c.getJobs(req(0));
      isCall(none);
      expect(none.jobs).toEqual([]);
      const some = await c.getJobs(req(3));
      isCall(some);
      expect(some.jobs.length).toBeLessThanOrEqual(3);
      for (const j of some.jobs) expect(Number.isInteger(j.PandaID)).toBe(true);
      expect(new Set(some.jobs.map((j) => j.PandaID)).size).toBe(some.jobs.length);
    }, opts.timeoutMs);

    it('bulk calls answer once per item, in order, and accept []', async () => {
      const c = await makePlugin();
      expect(await c.updateJobs([])).toEqual([]);
      expect(await c.updateWorkers([])).toEqual([]);
      expect(await c.checkJobs([])).toEqual([]);
      const reports = [1, 2].map((i) => ({ PandaID: 4_000_000 + i, siteName: site, jobStatus: 'running' }));
      const results = await c.updateJobs(reports);
      expect(results).toHaveLength(2);
      for (const r of results) {
        isCall(r);
        expect(Number.isInteger(r.statusCode)).toBe(true);
      }
      const workers = await c.updateWorkers([{ workerID: 1, status: 'running', computingSite: site }, { workerID: 2, status: 'submitted', computingSite: site }]);
      expect(workers).toHaveLength(2);
      for (const w of workers) expect(typeof w).toBe('boolean');
      const checked = await c.checkJobs([4_000_001, 4_000_002]);
      expect(checked.map((j) => j.PandaID)).toEqual([4_000_001, 4_000_002]);
    }, opts.timeoutMs);

    it('commands: at most n, ack of [] is fine', async () => {
      const c = await makePlugin();
      expect(await c.getCommands(0)).toEqual([]);
      const cmds = await c.getCommands(5);
      expect(cmds.length).toBeLessThanOrEqual(5);
      for (const cmd of cmds) {
        expect(Number.isInteger(cmd.command_id)).toBe(true);
        expect(typeof cmd.command).toBe('string');
      }
      isCall(await c.ackCommands([]));
    }, opts.timeoutMs);

    it('events, dialogs, stats and metrics calls answer without throwing', async () => {
      const c = await makePlugin();
      const ev = await c.getEventRanges({ '4000003': { pandaID: 4_000_003, taskID: 1, jobsetID: 1, nRanges: 2 } }, false);
      isCall(ev);
      for (const list of Object.values(ev.ranges)) expect(list.length).toBeLessThanOrEqual(2);
      const up = await c.updateEventRanges([]);
      isCall(up);
      const avail = await c.checkEventAvailability({ PandaID: 4_000_003, jobsetID: 1, taskID: 1 });
      expect(avail === null || (Number.isInteger(avail) && avail >= 0)).toBe(true);
      isCall(await c.sendDialogs([]));
      isCall(await c.updateServiceMetrics([]));
      isCall(await c.updateWorkerStats(site, { managed: { SCORE: { running: 1, submitted: 0, finished: 0, to_submit: 0 } } }));
      expect(Array.isArray(await c.getResourceTypes())).toBe(true);
    }, opts.timeoutMs);
  });
}
