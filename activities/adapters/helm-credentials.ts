/**
 * Credentials for the chart repositories a chart depends on, found as Kargo finds them: Secrets
 * labelled `kargo.akuity.io/cred-type: helm`, matched by repoURL. A classic repository
 * (`https://…`) is looked up by its URL and gets HTTP basic auth (helm's repositories.yaml); an
 * OCI one (`oci://host/path`) by `oci://host/path/<chart>` (Kargo's key) and then by
 * `oci://host/path`, and gets a registry login for its host. Loopback registries are spoken to
 * over plain http, like the OCI steps; credentials are never sent over plain http elsewhere.
 */
import { DomainError } from '../../core/errors.js';
import type { CredentialStore } from './credentials.js';
import type { HelmAuth } from './helm.js';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

export interface ChartDependency {
  name: string;
  repository: string;
}

export interface HelmDependencyAuth {
  auth: HelmAuth;
  /** Repository URLs (as in Chart.yaml) credentials were found for. */
  withCredentials: string[];
  /** Every OCI dependency is on a loopback registry: run helm with `--plain-http`. */
  plainHttp: boolean;
}

const trimSlash = (s: string): string => s.replace(/\/+$/, '');

function hostOf(url: string): string | undefined {
  try {
    return new URL(url.replace(/^oci:/, 'https:')).host;
  } catch {
    return undefined;
  }
}

export async function helmDependencyAuth(credentials: CredentialStore, deps: readonly ChartDependency[]): Promise<HelmDependencyAuth> {
  const repositories: NonNullable<HelmAuth['repositories']> = [];
  const registries: NonNullable<HelmAuth['registries']> = {};
  const withCredentials: string[] = [];
  const ociHosts: string[] = [];
  const seen = new Set<string>();
  for (const dep of deps) {
    const repo = dep.repository;
    if (repo.startsWith('oci://')) {
      const host = hostOf(repo);
      if (!host) continue;
      ociHosts.push(host);
      const creds = (await credentials.helm(`${trimSlash(repo)}/${dep.name}`)) ?? (await credentials.helm(repo));
      if (creds?.password === undefined && creds?.username === undefined) continue;
      registries[host] = { username: creds.username ?? '', password: creds.password ?? '' };
      if (!withCredentials.includes(repo)) withCredentials.push(repo);
      continue;
    }
    if (!/^https?:\/\//i.test(repo) || seen.has(trimSlash(repo))) continue;
    seen.add(trimSlash(repo));
    const creds = await credentials.helm(repo);
    if (creds?.password === undefined && creds?.username === undefined) continue;
    if (/^http:\/\//i.test(repo) && !LOOPBACK.test(hostOf(repo) ?? '')) {
      throw new DomainError(
        'StepFailed',
        `chart repository ${repo} has credentials, which are never sent over plain http: use an https:// repository URL`,
      );
    }
    repositories.push({ url: repo, username: creds.username ?? '', password: creds.password ?? '' });
    withCredentials.push(repo);
  }
  return {
    auth: { repositories, registries },
    withCredentials,
    plainHttp: ociHosts.length > 0 && ociHosts.every((h) => LOOPBACK.test(h)),
  };
}

/**
 * helm's output (stdout and stderr) when a repository refused it (401 / 403, "authorization
 * failed") → a clear error naming the repository and whether credentials were sent; undefined
 * for any other failure. The repository is the one the refusing line names.
 */
export function explainHelmAuthFailure(output: string, deps: readonly ChartDependency[], withCredentials: readonly string[]): DomainError | undefined {
  const refusal = output
    .split('\n')
    .find((l) => /\b(401|403)\b|unauthorized|forbidden|authentication required|authorization failed|basic auth credentials/i.test(l));
  if (refusal === undefined) return undefined;
  const named = deps.map((d) => d.repository).filter((r) => /^(https?|oci):\/\//i.test(r));
  const repo =
    named.find((r) => refusal.includes(trimSlash(r).replace(/^oci:\/\//, ''))) ??
    named.find((r) => {
      const host = hostOf(r);
      return host !== undefined && refusal.includes(host);
    }) ??
    (named.length === 1 ? named[0] : undefined);
  const which = repo === undefined ? 'a chart repository' : `chart repository ${repo}`;
  if (repo !== undefined && withCredentials.includes(repo)) {
    return new DomainError('StepFailed', `${which} rejected the credentials of its helm Secret (kargo.akuity.io/cred-type: helm): check its username and password`);
  }
  // Kargo's key for an OCI chart names the chart too.
  const dep = deps.find((d) => d.repository === repo);
  const key = repo === undefined ? 'the repository URL' : repo.startsWith('oci://') && dep ? `${trimSlash(repo)}/${dep.name}` : repo;
  return new DomainError(
    'StepFailed',
    `${which} requires credentials and none were found: add a Secret labelled kargo.akuity.io/cred-type: helm whose repoURL is ${key}`,
  );
}
