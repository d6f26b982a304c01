import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type IniSections = Record<string, Record<string, string | number | boolean>>;

export interface MasterEnv {
  dir: string;
  configFile: string;
  dbFile: string;
  /** Removes the temp dir. */
  cleanup(): void;
}

/**
 * A temp dir with a system config for one test master: sqlite under the dir,
 * logs to stdout, a short grace time, no queue config; `sections` overrides or adds keys.
 */
export function makeMasterEnv(sections: IniSections = {}): MasterEnv {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harvester-master-'));
  const dbFile = path.join(dir, 'harvester.db');
  const base: IniSections = {
    master: { harvester_id: 'test-master', shutdownGraceTime: 10 },
    db: { engine: 'sqlite', database_filename: dbFile },
    // No queue config file: these masters run no queues (a missing file would stop startup).
    qconf: { configFile: '' },
    // Upstream = an embedded WMS on a free loopback port: a test master never talks to a real PanDA.
    wms: { embedded: 'True', port: 0 },
  };
  for (const [name, keys] of Object.entries(sections)) base[name] = { ...base[name], ...keys };
  const text = Object.entries(base)
    .map(([name, keys]) => `[${name}]\n${Object.entries(keys).map(([k, v]) => `${k} = ${String(v)}`).join('\n')}\n`)
    .join('\n');
  const configFile = path.join(dir, 'harvester.cfg');
  fs.writeFileSync(configFile, text);
  return { dir, configFile, dbFile, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
