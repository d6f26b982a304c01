import path from 'node:path';

/** Values of one INI section; a list is written as the original's multi-line value. */
export type IniSection = Record<string, string | number | boolean | readonly string[]>;

export interface FastCycleConfigOptions {
  harvesterID: string;
  /** Holds harvester.db and queues.json. */
  dir: string;
  /** Upstream: a PanDA-speaking URL, or the embedded WMS serving this jobs file. */
  upstream: { apiUrl: string; timeout: number } | { embeddedJobsFile: string };
  /** Keep times of the sweeper, hours (default: the schema's). */
  keepHours?: number;
  /** Keys added to (or replacing) those of each section. */
  sections?: Record<string, IniSection>;
}

/** Every agent cycles each second: what the end-to-end tests and bench/e2e.ts run. */
const FAST_AGENTS: Record<string, IniSection> = {
  commandmanager: { sleepTime: 1 },
  jobfetcher: { sleepTime: 1, lookupTime: 1 },
  propagator: { sleepTime: 1 },
  preparator: { sleepTime: 1, checkInterval: 1, triggerInterval: 1 },
  submitter: { sleepTime: 1, checkInterval: 1, lookupTime: 1 },
  monitor: { sleepTime: 1, checkInterval: 1 },
  stager: { sleepTime: 1, checkInterval: 1, triggerInterval: 1 },
  eventfeeder: { sleepTime: 1 },
  sweeper: { sleepTime: 1, checkInterval: 1 },
};

function render(sections: Record<string, IniSection>): string {
  const out: string[] = [];
  for (const [name, values] of Object.entries(sections)) {
    out.push(`[${name}]`);
    for (const [k, v] of Object.entries(values)) {
      out.push(Array.isArray(v) ? `${k} =\n${v.map((x) => ` ${x}`).join('\n')}` : `${k} = ${String(v)}`);
    }
    out.push('');
  }
  return out.join('\n');
}

/**
 * The system config (INI) of a master on sqlite with every agent cycling each
 * second, shared by the end-to-end tests and the e2e benchmark; each adds or
 * overrides keys through `sections`.
 */
export function fastCycleConfig(o: FastCycleConfigOptions): string {
  const upstream: Record<string, IniSection> = 'apiUrl' in o.upstream
    ? { pandacon: { server_api_url_ssl: o.upstream.apiUrl, cache_api_url_ssl: o.upstream.apiUrl, timeout: o.upstream.timeout }, wms: { embedded: 'False' } }
    : { wms: { embedded: 'True', port: 0, jobsFile: o.upstream.embeddedJobsFile } };
  const keep: IniSection = o.keepHours === undefined ? {} : {
    keepFinished: o.keepHours, keepFailed: o.keepHours, keepCancelled: o.keepHours, keepMissed: o.keepHours,
  };
  const sections: Record<string, IniSection> = {
    master: { harvester_id: o.harvesterID, logLevel: 'info', shutdownGraceTime: 15 },
    db: { engine: 'sqlite', database_filename: path.join(o.dir, 'harvester.db') },
    ...upstream,
    qconf: { configFile: path.join(o.dir, 'queues.json'), queueList: ['ALL'] },
    ...FAST_AGENTS,
    sweeper: { ...FAST_AGENTS.sweeper, ...keep },
  };
  for (const [name, values] of Object.entries(o.sections ?? {})) sections[name] = { ...(sections[name] ?? {}), ...values };
  return render(sections);
}
