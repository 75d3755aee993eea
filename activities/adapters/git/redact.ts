/** Redaction: every message that leaves the git modules goes through here. */
import { basicHeaderValue } from './basic-auth.js';
import type { RemoteAccess } from './types.js';

/** Scrub credentials (and URL userinfo) out of text. */
export function redact(text: string, access?: RemoteAccess): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^@/\s]*@/gi, '$1***@');
  const creds = access?.credentials;
  if (creds) {
    const secrets: string[] = [];
    if (creds.password) {
      secrets.push(basicHeaderValue(creds), creds.password, encodeURIComponent(creds.password));
    }
    if (creds.sshPrivateKey) {
      // The whole key, and each line of its body should a fragment of it ever be printed.
      secrets.push(creds.sshPrivateKey, ...creds.sshPrivateKey.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length >= 16 && !l.startsWith('-----')));
    }
    for (const s of secrets.filter((v) => v.length > 0).sort((a, b) => b.length - a.length)) {
      out = out.split(s).join('***');
    }
  }
  return out;
}

/** The URL as shown in messages: without userinfo. */
export function displayURL(url: string): string {
  return redact(url);
}
