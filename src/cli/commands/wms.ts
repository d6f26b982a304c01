import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createLogger } from '../../log';
import { DEFAULT_WMS_HOST, DEFAULT_WMS_PORT, startWms } from '../../wms/server';

/**
 * `harvester wms …`: run the embedded WMS, submit jobs to a running one, list
 * job states. The WMS is for the default setup, demos and tests — not a PanDA.
 */

const DEFAULT_URL = `http://${DEFAULT_WMS_HOST}:${DEFAULT_WMS_PORT}`;

function wmsUrl(opt: string | undefined): string {
  return (opt ?? process.env.HARVESTER_WMS_URL ?? DEFAULT_URL).replace(/\/+$/, '');
}

function token(opt: string | undefined): string | undefined {
  return opt ?? process.env.HARVESTER_WMS_TOKEN ?? undefined;
}

function parseIntOption(name: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a non-negative integer, got ${JSON.stringify(v)}`);
    return n;
  };
}

/** Call the WMS's own API; its error message (or the connection error) becomes the thrown message. */
async function callWms(base: string, method: 'GET' | 'POST', path: string, tok: string | undefined, body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (tok) headers.Authorization = `Bearer ${tok}`;
  let res: Response;
  try {
    res = await fetch(`${base}/wms/v1/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new Error(`cannot reach the WMS at ${base}: ${cause ?? (err as Error).message}`);
  }
  const text = await res.text();
  let parsed: { success?: boolean; message?: string; data?: unknown } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new Error(`WMS at ${base} answered HTTP ${res.status} with non-JSON: ${text.slice(0, 200)}`);
  }
  if (!res.ok || parsed.success !== true) throw new Error(`WMS at ${base}: HTTP ${res.status}: ${parsed.message ?? '(no message)'}`);
  return parsed.data;
}

interface JobRow { PandaID: number; status: string; subStatus: string | null; site: string | null }

export function register(program: Command): void {
  const wms = program.command('wms').description('embedded WMS: a small server speaking the PanDA protocol (demo and tests; not a PanDA replacement)');

  wms.command('serve')
    .description('run the embedded WMS until SIGINT/SIGTERM')
    .option('--host <host>', 'address to bind', DEFAULT_WMS_HOST)
    .option('--port <port>', 'port (0 = any free port)', parseIntOption('--port'), DEFAULT_WMS_PORT)
    .option('--jobs <file>', 'job definitions to load at start (e.g. etc/wms-jobs.json)')
    .option('--state <file>', 'persist state to this JSON file (e.g. var/wms-state.json)')
    .option('--token <token>', 'require this bearer token (env HARVESTER_WMS_TOKEN)')
    .action(async (o: { host: string; port: number; jobs?: string; state?: string; token?: string }) => {
      const log = createLogger({ name: 'wms' });
      const handle = await startWms({ host: o.host, port: o.port, jobsFile: o.jobs, stateFile: o.state, token: token(o.token), log });
      // One plain line for scripts and tests (the port matters with --port 0).
      process.stdout.write(`WMS listening on ${handle.url} (PanDA API ${handle.apiUrl})\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await handle.close();
      log.flush();
    });

  wms.command('submit')
    .description('submit jobs to a running WMS')
    .option('--count <n>', 'number of jobs', parseIntOption('--count'), 1)
    .option('--site <queue>', 'only this queue may take the jobs (default: the template\'s computingSite, else any)')
    .option('--label <prodSourceLabel>', 'prodSourceLabel of the jobs')
    .option('--template <file>', 'JSON job template (fields of a PanDA job dict; ${PandaID} is substituted)')
    .option('--url <url>', `WMS base URL (env HARVESTER_WMS_URL; default ${DEFAULT_URL})`)
    .option('--token <token>', 'bearer token (env HARVESTER_WMS_TOKEN)')
    .action(async (o: { count: number; site?: string; label?: string; template?: string; url?: string; token?: string }) => {
      let template: unknown = {};
      if (o.template) {
        try {
          template = JSON.parse(readFileSync(o.template, 'utf8'));
        } catch (err) {
          throw new Error(`--template ${o.template}: ${(err as Error).message}`);
        }
      }
      const body: Record<string, unknown> = { count: o.count, template };
      if (o.site) body.site = o.site;
      if (o.label) body.prodSourceLabel = o.label;
      const data = (await callWms(wmsUrl(o.url), 'POST', 'jobs', token(o.token), body)) as { PandaIDs: number[] };
      process.stdout.write(`${JSON.stringify({ submitted: data.PandaIDs.length, PandaIDs: data.PandaIDs })}\n`);
    });

  wms.command('jobs')
    .description('list job states of a running WMS')
    .option('--status <status>', 'only jobs in this status')
    .option('--site <queue>', 'only jobs of this queue')
    .option('--json', 'print the raw JSON')
    .option('--url <url>', `WMS base URL (env HARVESTER_WMS_URL; default ${DEFAULT_URL})`)
    .option('--token <token>', 'bearer token (env HARVESTER_WMS_TOKEN)')
    .action(async (o: { status?: string; site?: string; json?: boolean; url?: string; token?: string }) => {
      const q = new URLSearchParams();
      if (o.status) q.set('status', o.status);
      if (o.site) q.set('site', o.site);
      const qs = q.toString();
      const data = (await callWms(wmsUrl(o.url), 'GET', `jobs${qs ? `?${qs}` : ''}`, token(o.token))) as { counts: Record<string, number>; jobs: JobRow[] };
      if (o.json) {
        process.stdout.write(`${JSON.stringify(data)}\n`);
        return;
      }
      const lines = [`${'PandaID'.padEnd(10)} ${'status'.padEnd(12)} ${'subStatus'.padEnd(14)} site`];
      for (const j of data.jobs) lines.push(`${String(j.PandaID).padEnd(10)} ${j.status.padEnd(12)} ${(j.subStatus ?? '-').padEnd(14)} ${j.site ?? '-'}`);
      lines.push(`total ${data.jobs.length}; by status: ${Object.entries(data.counts).map(([s, n]) => `${s}=${n}`).join(' ') || 'none'}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
