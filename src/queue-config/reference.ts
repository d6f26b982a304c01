/**
 * Renders docs/queue-config.md from the schema in attributes.ts, so the
 * reference cannot drift from what the loader accepts (a unit test compares
 * the file with this output). Regenerate after changing attributes.ts:
 *   npx tsc -p tsconfig.build.json && node dist/src/queue-config/reference.js
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  DERIVED_ATTRIBUTES, LOCAL_ONLY_ATTRIBUTES, MERGED_SECTIONS, PLUGIN_SECTIONS, QUEUE_ATTRIBUTES,
  type AttributeGroup, type AttributeSpec,
} from './attributes';

const GROUP_ORDER: readonly AttributeGroup[] = ['identity', 'templating', 'job fetching', 'workers', 'worker limits', 'job limits', 'events'];

function typeText(a: AttributeSpec): string {
  const base: Record<AttributeSpec['kind'], string> = {
    string: 'string', integer: 'integer', number: 'number', boolean: 'boolean', enum: a.values?.join(' \\| ') ?? 'enum',
    stringList: 'string[]', numberMap: '{string: number}', object: 'object', json: 'any JSON', criteria: '"k=v,k2=v2"',
  };
  return base[a.kind] + (a.nullable ? ' \\| null' : '');
}

function defaultText(a: AttributeSpec): string {
  if (a.defaultText) return a.defaultText;
  if (a.default === null) return 'unset';
  return `\`${JSON.stringify(a.default)}\``;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderQueueConfigReference(): string {
  const out: string[] = [];
  out.push('# Queue configuration (`panda_queueconfig.json`)');
  out.push('');
  out.push('<!-- Generated from src/queue-config/attributes.ts by src/queue-config/reference.ts. Do not edit by hand:');
  out.push('     npx tsc -p tsconfig.build.json && node dist/src/queue-config/reference.js -->');
  out.push('');
  out.push('One JSON object, `{"<queue>": {attributes and plugin sections}, ...}`, in the layout of the original');
  out.push("Harvester's `panda_queueconfig.json`, so an existing file loads unchanged. The queue name is `site` or");
  out.push('`site/resourceType`. `[qconf] configFile` names the file (relative paths: next to the system config, then');
  out.push('the working directory, `$PANDA_HOME/etc/panda`, `/etc/panda`).');
  out.push('');
  out.push('Attributes not listed here are errors (the original silently ignored typos). Check a file before deploying');
  out.push('it with `harvester qconf validate FILE` (exit 0 when good, 2 with every problem listed).');
  out.push('');
  out.push('## How a queue is put together');
  out.push('');
  out.push('1. **Templates.** An entry with `"isTemplateQueue": true`, or whose name ends in `_TEMPLATE`, is a template,');
  out.push('   never a queue. A queue naming `templateQueueName` starts from that template; a queue naming an unknown');
  out.push('   template is broken. A template cannot use a template. A local template replaces a remote one of the same');
  out.push('   name as a whole. Dynamic queues that name none use `[qconf] defaultTemplateQueueName`.');
  out.push('2. **Sources**, applied in this order, later winning: dynamic (resolver) → local file → remote (the cached');
  out.push('   copy of the queue config URL). Where the file and the remote both set a value, the remote one wins');
  out.push('   (the original let the file win) — except local-only attributes (below).');
  out.push(`3. **Merging.** ${[...MERGED_SECTIONS].map((s) => `\`${s}\``).join(', ')} merge key by key (a queue`);
  out.push('   overriding `submitter.nCore` keeps the template\'s other submitter keys); every other attribute is');
  out.push('   replaced whole.');
  out.push('4. **Resolution.** Defaults fill what is unset. Keys of `common` apply to every plugin section that does');
  out.push('   not set them, for the attributes the plugin declares (the plugin factory applies them, so a `common` key');
  out.push('   one plugin does not know is no error for it); `siteName` and `queueName` are injected into every plugin');
  out.push('   section that lacks them. A plugin section with `"middleware": "<key>"` is replaced by the queue\'s top-level `<key>`');
  out.push('   section, its own config kept under `original_config`. List sections (`credmanagers`, `file_syncer`) are');
  out.push('   passed as written. For `mapType: NoJob` the job limits are nulled; `truePilot` sets `noHeartbeat` when it');
  out.push('   is empty; negative limits become 0 and worker limits are capped at `maxWorkers` (with a warning).');
  out.push('5. **Validation** of the whole merged config before it is served: unknown attributes, types, `mapType`,');
  out.push('   mandatory plugin sections, and each plugin section through the plugin factory (module resolves,');
  out.push('   constructor accepts the attributes). At startup any error from the local file stops the master; at');
  out.push('   reload a broken queue keeps its last good version (`harvester qconf list` shows it as broken, with why)');
  out.push('   while the others update.');
  out.push('6. **configID.** Each distinct resolved config of a queue (md5 of its JSON without `queueStatus`) is stored');
  out.push('   once in `qcdump_table`; jobs and workers keep the configID they were created with, so they keep their');
  out.push('   plugins after the file changes. Active queues (not offline, in `[qconf] queueList` or `ALL`) get their');
  out.push('   `pq_table` rows refreshed.');
  out.push('');
  out.push('## Local-only attributes');
  out.push('');
  out.push('A remote source cannot set these; the value from the local file (or the default) stands and the remote');
  out.push('value is reported as a warning:');
  out.push('');
  for (const name of LOCAL_ONLY_ATTRIBUTES) {
    const doc = PLUGIN_SECTIONS.find((s) => s.name === name)?.doc ?? QUEUE_ATTRIBUTES.find((a) => a.name === name)?.doc ?? '';
    out.push(`- \`${name}\` — ${doc}`);
  }
  out.push('');
  out.push('## Attributes');
  for (const group of GROUP_ORDER) {
    out.push('');
    out.push(`### ${group[0]?.toUpperCase()}${group.slice(1)}`);
    out.push('');
    out.push('| attribute | type | default | meaning |');
    out.push('|---|---|---|---|');
    for (const a of QUEUE_ATTRIBUTES.filter((x) => x.group === group)) {
      out.push(`| \`${a.name}\` | ${typeText(a)} | ${cell(defaultText(a))} | ${cell(a.doc)} |`);
    }
  }
  out.push('');
  out.push('## Plugin sections');
  out.push('');
  out.push('Each is `{"module": "...", "name": "...", ...plugin attributes}`; `module` resolves to a file under');
  out.push('`plugins/<category>/`, an installed npm package, or a path, and `name` to its export. Every other key');
  out.push("goes to the plugin's constructor.");
  out.push('');
  out.push('| section | plugin category | required | meaning |');
  out.push('|---|---|---|---|');
  for (const s of PLUGIN_SECTIONS) {
    out.push(`| \`${s.name}\`${s.list ? ' (list)' : ''} | ${s.category} | ${s.mandatory ? 'yes' : 'no'} | ${cell(s.doc)} |`);
  }
  out.push('');
  out.push('A top-level object named by some plugin section\'s `"middleware"` key is also accepted (a middleware,');
  out.push('i.e. herder, section).');
  out.push('');
  out.push('## Set by the mapper');
  out.push('');
  out.push('| attribute | meaning |');
  out.push('|---|---|');
  for (const d of DERIVED_ATTRIBUTES) out.push(`| \`${d.name}\` | ${cell(d.doc)} |`);
  out.push('');
  return out.join('\n');
}

export const REFERENCE_PATH = 'docs/queue-config.md';

/** Writes the reference into `root`/docs/queue-config.md. */
export function writeQueueConfigReference(root: string): string {
  const file = path.join(root, REFERENCE_PATH);
  writeFileSync(file, renderQueueConfigReference());
  return file;
}

if (require.main === module) {
  process.stdout.write(`wrote ${writeQueueConfigReference(process.cwd())}\n`);
}
