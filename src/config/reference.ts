/**
 * Renders docs/configuration.md from the schema so the reference cannot drift
 * from the code (a unit test compares the two). Regenerate with
 *   npx tsc -p tsconfig.build.json && node dist/src/config/reference.js > docs/configuration.md
 */
import { envNamesOf } from './env';
import { describeExpected, type AnyLeaf } from './leaf';
import { LOG_LEVEL_ENTRY, MAP_SECTION, SECRET_KEYS, SECTION_DOCS, SECTION_NAMES, schema } from './schema';

const INTRO = `# System configuration reference

<!-- GENERATED from src/config/schema.ts by src/config/reference.ts; do not edit by hand.
     Regenerate: npx tsc -p tsconfig.build.json && node dist/src/config/reference.js > docs/configuration.md -->

The system configuration is an INI file in the layout of the original's \`panda_harvester.cfg\`,
so an existing file works as is. \`harvester --config FILE\` (or \`HARVESTER_CONFIG\`) selects it;
the default is \`etc/harvester.cfg\` relative to the working directory. Relative paths inside it
(\`database_filename\`, \`pidFile\`, ...) are relative to the working directory too.
\`harvester config print [--json]\` shows the resolved values, where each came from, secrets masked.
Samples: \`etc/harvester.cfg\` (what \`npm start\` uses: sqlite under \`var/\`, logs to stdout) and
\`etc/panda_harvester.cfg.sample\` (every section of the original's template).

## File format

* \`[section]\` headers, \`key = value\` or \`key: value\`; keys are case-sensitive (\`nThreads\`, not \`nthreads\`).
* Whole-line comments start with \`#\` or \`;\` (no trailing comments: \`#\` inside a value is part of it).
* A value continues on the following indented lines: lists take one item per line
  (\`queueList\`, \`[cacher] data\`, \`[credmanager]\` lists), JSON values may span lines.
* Literals as in the original: \`True\`/\`False\` (also \`true\`, \`yes\`, \`no\`, \`1\`, \`0\`) for booleans;
  \`None\` (or an empty value) for "not set" where a key allows it; integers are digits.
* \`$VAR\` and \`\${VAR}\` are replaced by the environment variable **inside** the value
  (\`\${HOME}/x\` → \`/home/me/x\`; the original replaced the whole value). An undefined variable
  is an error; \`$$\` is a literal \`$\`; \`$(TITLE)\` is left for the FIFO. \`HOSTNAME\` defaults to the
  short host name. Substitution applies to file and remote values, not to environment or \`--set\` values.
* Strict: an unknown section or key, a value of the wrong type, a missing file or a missing
  required value stops startup (exit code 2) with one message naming the file (and line),
  the section, the key and what is expected, e.g.
  \`etc/harvester.cfg:12: [db] nConnections: expected an integer >= 1, got "ten"\`.

## Sources and precedence

Lowest to highest:

1. the defaults below;
2. the file;
3. the remote instance configuration: INI text at \`HARVESTER_INSTANCE_CONFIG_URL\` (\`http://\`,
   \`https://\` or \`file://\`), laid over the file (the original let local files win);
   it may not set secrets (*secrets must come from a local file or the environment*);
4. the environment: \`HARVESTER_<SECTION>_<KEY>\`, section and key upper-cased
   (\`HARVESTER_DB_PASSWORD\`, \`HARVESTER_MONITOR_FIFOENABLE\`, \`HARVESTER_SERVICE_MONITOR_ACTIVE\`);
   a few keys also have a short name (listed below). Lists from the environment are a JSON list
   (\`["A","B"]\`) or newline-separated; \`[log_level]\` entries cannot be set from the environment;
5. command-line overrides: \`harvester --set section.key=value\` (repeatable).

## Secrets

${SECRET_KEYS.map((k) => `\`${k}\``).join(', ')}.

Secrets are masked (\`***\`) by \`config print\`, never echoed in error messages, and refused from a
remote source.
`;

function formatDefault(leaf: AnyLeaf): string {
  const v = leaf.default;
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return v.length ? v.join(', ') : '(empty)';
  if (typeof v === 'object') return JSON.stringify(v);
  if (v === '') return '(empty)';
  return String(v);
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (s: string): string => (s.startsWith('(') ? s : `\`${s}\``);

function renderLeaf(section: string, key: string, leaf: AnyLeaf): string {
  const notes = [
    leaf.required ? '**required**' : '',
    leaf.sensitive ? '**secret**' : '',
    leaf.unused && !leaf.doc.includes('not used') ? '*not used*' : '',
  ].filter(Boolean);
  const unit = leaf.unit ? ` (${leaf.unit})` : '';
  const meaning = `${leaf.doc}${unit}. ${notes.length ? `${notes.join(', ')}. ` : ''}Expects ${describeExpected(leaf)}.`;
  const env = envNamesOf(section, key).map((n) => `\`${n}\``).join('<br>');
  return `| \`${key}\` | ${cell(code(formatDefault(leaf)))} | ${cell(meaning)} | ${env} |`;
}

/** The whole reference page as markdown. */
export function renderReference(): string {
  const parts = [INTRO];
  for (const section of SECTION_NAMES) {
    parts.push(`## [${section}]\n\n${SECTION_DOCS[section]}\n\n| key | default | meaning | environment |\n|---|---|---|---|`);
    const rows = Object.entries(schema[section] as Record<string, AnyLeaf>).map(([k, leaf]) => renderLeaf(section, k, leaf));
    parts.push(`${rows.join('\n')}\n`);
  }
  parts.push(
    `## [${MAP_SECTION}]\n\n${SECTION_DOCS[MAP_SECTION]} Expects ${describeExpected(LOG_LEVEL_ENTRY as AnyLeaf)}.\n` +
      `Example: \`monitor = DEBUG\`.\n`,
  );
  return parts.join('\n');
}

if (require.main === module) process.stdout.write(renderReference());
