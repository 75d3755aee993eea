/**
 * Where a repository's provider API is. It is derived from the repository URL only: the
 * repository's own origin, or the fixed API host of the public service it is on (github.com →
 * api.github.com, <x>.ghe.com → api.<x>.ghe.com, bitbucket.org → api.bitbucket.org). A manifest
 * cannot name another host (the token of the repository would go there, and the worker would
 * call wherever a tenant points it); the operator can, per repository host, with
 * SHUNT_GIT_PROVIDER_API_URLS. The egress policy applies to the API host either way.
 */
import { DomainError } from '../../../core/errors.js';

export const API_URLS_SETTING = 'SHUNT_GIT_PROVIDER_API_URLS';

/** The repository URL in parts: origin, host (`host[:port]` as in URL.host), hostname and path segments. */
export interface RepoLocation {
  origin: string;
  host: string;
  hostname: string;
  segments: string[];
}

export function repoLocation(repoURL: string): RepoLocation {
  let u: URL;
  try {
    u = new URL(repoURL);
  } catch {
    throw new DomainError('StepFailed', `repoURL ${JSON.stringify(repoURL)} is not an http(s) URL; pull request steps need one`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new DomainError('StepFailed', `repoURL must be an http(s) URL for pull request steps, got ${u.protocol}`);
  }
  const path = u.pathname.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
  const segments = path === '' ? [] : path.split('/').map((s) => decodeURIComponent(s));
  return { origin: u.origin, host: u.host.toLowerCase(), hostname: u.hostname.toLowerCase(), segments };
}

/** The operator's `repoHost=apiURL` entries (comma or space separated). */
export function operatorApiURLs(env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of (env[API_URLS_SETTING] ?? '').split(/[\s,]+/).filter(Boolean)) {
    const eq = entry.indexOf('=');
    const host = entry.slice(0, eq).toLowerCase();
    const url = entry.slice(eq + 1);
    let ok = eq > 0;
    try {
      ok &&= ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new DomainError('StepFailed', `${API_URLS_SETTING}: ${JSON.stringify(entry)} is not repoHost=http(s)://api-url`);
    out.set(host, url.replace(/\/+$/, ''));
  }
  return out;
}

/**
 * The API base URL for a repository: the operator's entry for its host when there is one, else
 * `derived` (which must be on the repository's host or be `publicAPI`, the fixed API of the public
 * service). `undefined` derived: the provider has no API on that host without an operator entry.
 */
export function apiBaseURL(loc: RepoLocation, derived: string | undefined, what: string): string {
  const configured = operatorApiURLs().get(loc.host);
  if (configured) return configured;
  if (derived === undefined) {
    throw new DomainError('StepFailed', `${what} is not served from ${loc.host}; an operator can name its API URL in ${API_URLS_SETTING} (${loc.host}=https://…)`);
  }
  return derived;
}
