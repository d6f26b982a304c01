/**
 * Where a bad configuration value came from. `file` is always the system
 * configuration file being loaded (so an operator knows which setup is broken);
 * `source` says where the offending text itself was read when that is not the
 * file (an environment variable, a `--set` override, a remote URL) and may carry
 * a line number (`etc/harvester.cfg:12`).
 */
export interface ConfigErrorContext {
  file: string;
  source?: string;
  section?: string;
  key?: string;
}

/**
 * Bad system configuration: an unknown section/key, a wrong type, a missing file
 * or required value, a secret from a remote source. The message alone is enough
 * for an operator (`etc/x.cfg:3: [db] nConnections: expected an integer, got "ten"`);
 * the CLI prints it without a stack trace and exits with code 2.
 */
export class ConfigError extends Error {
  readonly file: string;
  readonly source: string;
  readonly section?: string;
  readonly key?: string;

  constructor(ctx: ConfigErrorContext, detail: string) {
    super(formatConfigError(ctx, detail));
    this.name = 'ConfigError';
    this.file = ctx.file;
    this.source = ctx.source ?? ctx.file;
    this.section = ctx.section;
    this.key = ctx.key;
  }
}

function formatConfigError(ctx: ConfigErrorContext, detail: string): string {
  // A file-based source ("etc/x.cfg:12") already names the file; other sources
  // (env, --set, URL) get the file in parentheses so both are in the message.
  const src = ctx.source ?? ctx.file;
  const where = src === ctx.file || src.startsWith(`${ctx.file}:`) ? src : `${ctx.file} (${src})`;
  const section = ctx.section !== undefined ? ` [${ctx.section}]` : '';
  const key = ctx.key !== undefined ? ` ${ctx.key}` : '';
  return section || key ? `${where}:${section}${key}: ${detail}` : `${where}: ${detail}`;
}
