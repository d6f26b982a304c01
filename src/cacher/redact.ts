/**
 * URLs as they may appear in logs, status rows and dialog messages: user
 * info and secret-looking query values masked, so a token embedded in a
 * configured URL never leaves the process.
 */
const SECRET_PARAM = /(token|key|pass|secret|sig|auth|cred)/i;

export function redactUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // Not a URL we can parse (e.g. a bare path): mask anything that looks like user:pass@.
    return raw.replace(/\/\/[^/@\s]*@/, '//***@');
  }
  if (u.username || u.password) {
    u.username = '***';
    u.password = '';
  }
  for (const key of [...u.searchParams.keys()]) if (SECRET_PARAM.test(key)) u.searchParams.set(key, '***');
  return u.toString();
}

/** An error message with any URL in it redacted (node errors quote the URL they failed on). */
export function redactText(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi, (m) => redactUrl(m));
}
