/**
 * Where an image repository lives: `nginx` → registry-1.docker.io/library/nginx,
 * `ghcr.io/org/app` → ghcr.io/org/app, `127.0.0.1:5000/app` → http://127.0.0.1:5000/app.
 * Loopback registries are spoken to over plain http (as docker and go-containerregistry do);
 * everything else over https.
 */

export interface RepositoryRef {
  /** `host[:port]` as written (Docker Hub: registry-1.docker.io). */
  host: string;
  /** `https://host` or `http://host` for loopback. */
  baseURL: string;
  /** The repository path inside the registry (`library/nginx`). */
  repository: string;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

/** @throws Error naming the URL when it is not an image repository reference. */
export function parseRepository(repoURL: string): RepositoryRef {
  let text = repoURL.trim();
  if (text.startsWith('oci://')) text = text.slice('oci://'.length);
  if (text === '' || /\s/.test(text) || text.includes('@')) {
    throw new Error(`${JSON.stringify(repoURL)} is not an image repository (expected host/path without tag or digest)`);
  }
  const slash = text.indexOf('/');
  let host = 'registry-1.docker.io';
  let repository = text;
  if (slash >= 0) {
    const first = text.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      host = first;
      repository = text.slice(slash + 1);
    }
  }
  if (host === 'docker.io' || host === 'index.docker.io') host = 'registry-1.docker.io';
  if (host === 'registry-1.docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repository)) {
    throw new Error(`${JSON.stringify(repoURL)}: ${JSON.stringify(repository)} is not a valid repository name (lower-case letters, digits, . _ - and /)`);
  }
  const scheme = LOOPBACK.test(host) ? 'http' : 'https';
  return { host, baseURL: `${scheme}://${host}`, repository };
}
