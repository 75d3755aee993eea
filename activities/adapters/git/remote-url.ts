/**
 * Which repository URLs git may be pointed at, checked before any git process sees one: no
 * password in the URL (it would be stored in the mirror's config), no `transport::address`
 * form (`ext::` runs a command), no URL git would read as an option, and no local repository
 * inside the worker's data directory (a step could have written a bare repository there whose
 * hooks a push would run).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DomainError } from '../../../core/errors.js';
import { URL_PASSWORD_MESSAGE, urlHasPassword } from '../../../core/freight/url-userinfo.js';
import { displayURL } from './redact.js';
import { isInside } from '../path-inside.js';

/** `scheme://…` */
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
/** scp-like `[user@]host:path` (a colon before any slash). */
const SCP_LIKE = /^(?:[^@/:]+@)?(?:\[[^\]]+\]|[^/:]+):/;

/** The local directory a `file://` URL or a plain path names, else undefined. */
function localPath(url: string): string | undefined {
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'file') {
    try {
      return decodeURIComponent(new URL(url).pathname);
    } catch {
      return url.slice('file://'.length);
    }
  }
  if (scheme !== undefined || SCP_LIKE.test(url)) return undefined;
  return url;
}

/** The real path of `p`, or of its deepest existing ancestor joined with the rest. */
function realish(p: string): string {
  let existing = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(existing), ...rest.reverse());
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return path.resolve(p);
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

/**
 * @throws DomainError('StepFailed') when git may not be pointed at `url` (see the file comment).
 */
export function assertRemoteURLAllowed(url: string, dataDir: string): void {
  const shown = JSON.stringify(displayURL(url));
  if (urlHasPassword(url)) throw new DomainError('StepFailed', `repoURL ${shown} ${URL_PASSWORD_MESSAGE}`);
  if (/[\0\r\n]/.test(url) || url.trim() !== url || url === '') {
    throw new DomainError('StepFailed', `repoURL ${shown} is not a valid repository URL`);
  }
  if (url.startsWith('-')) throw new DomainError('StepFailed', `repoURL ${shown} is not a valid repository URL (starts with "-")`);
  if (/^[a-z][a-z0-9+.-]*::/i.test(url)) {
    throw new DomainError('StepFailed', `repoURL ${shown}: the transport::address form is not allowed`);
  }
  const local = localPath(url);
  if (local !== undefined) {
    if (!path.isAbsolute(local)) {
      throw new DomainError('StepFailed', `repoURL ${shown}: a local repository must be named by an absolute path`);
    }
    const real = realish(local);
    for (const root of [path.resolve(dataDir), realish(dataDir)]) {
      if (isInside(root, real)) {
        throw new DomainError('StepFailed', `repoURL ${shown} names a repository inside the worker's data directory, which is not allowed`);
      }
    }
  }
}
