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

export interface ArtifactRef {
  /** The repository part, as the OciClient takes it (`host/path`, or `oci://host/path`). */
  repoURL: string;
  tag?: string;
  digest?: string;
  /** What the manifest endpoints take: the digest if given, else the tag. */
  reference: string;
}

/**
 * Splits `host/path:tag`, `host/path@sha256:…` or `host/path:tag@sha256:…` (optionally
 * `oci://`-prefixed).
 * @throws Error when neither a tag nor a digest is given.
 */
export function parseArtifactRef(ref: string): ArtifactRef {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`${JSON.stringify(ref)}: ${JSON.stringify(digest)} is not a sha256 digest`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/') && colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw new Error(`${JSON.stringify(ref)}: ${JSON.stringify(tag)} is not a valid tag`);
  }
  if (!tag && !digest) throw new Error(`${JSON.stringify(ref)} names no tag or digest (use repo:tag or repo@sha256:…)`);
  parseRepository(rest);
  return { repoURL: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}), reference: digest ?? tag! };
}
