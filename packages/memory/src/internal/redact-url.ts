/**
 * `url` with its password replaced by `***`, safe for error messages and health details. Works on
 * strings that are not valid URLs too, since an invalid URL is exactly what ends up in an error.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // `scheme://user:secret@host` or `scheme://:secret@host`: keep the user, hide the secret.
    return url.replace(/(\/\/[^/:@]*):[^@/]*@/u, '$1:***@');
  }
}

/** The password in `url` as written and as decoded, so both can be scrubbed from messages. */
export function secretsOf(url: string): string[] {
  let raw: string | undefined;
  try {
    raw = new URL(url).password;
  } catch {
    raw = /\/\/[^/:@]*:([^@/]*)@/u.exec(url)?.[1];
  }
  if (raw === undefined || raw === '') return [];
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // keep the raw form only
  }
  return decoded === raw ? [raw] : [raw, decoded];
}

/** Removes every occurrence of each secret from `text`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join('***');
  return out;
}
