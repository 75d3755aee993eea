/**
 * Canonical forms of repository URLs, as Kargo computes them (`pkg/urls`): used to compare
 * URLs and inside Freight ids, so the rules follow Kargo's quirks exactly (for example a
 * chart's `https://` URL keeps its scheme and Go's `path.Join` later folds its `//`).
 *
 * Anything that cannot be normalized is returned unchanged, as in Kargo.
 */

/** `[user@]host[.domain...][:path]`, the scp-like git syntax. */
const SCP_SYNTAX = /^((?:[\w-]+@)?[\w-]+(?:\.[\w-]+)*)(?::(.*))?$/;

interface SplitTail {
  path: string;
  query: string | undefined;
  fragment: string | undefined;
}

/** Splits `path?query#fragment` the way Go's url.Parse does. */
function splitTail(rest: string): SplitTail {
  let fragment: string | undefined;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let query: string | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  return { path: rest, query, fragment };
}

function joinTail(t: SplitTail): string {
  return `${t.path}${t.query !== undefined ? `?${t.query}` : ''}${t.fragment ? `#${t.fragment}` : ''}`;
}

function trimRepoSuffixes(path: string): string {
  let p = path.endsWith('/') ? path.slice(0, -1) : path;
  if (p.endsWith('.git')) p = p.slice(0, -4);
  return p;
}

/**
 * Kargo's `urls.NormalizeGit`: lower-cases; for http(s) drops user info; strips one trailing
 * `/` and then one `.git`; maps scp-like `git@host:org/repo.git` to `ssh://git@host/org/repo`.
 * http(s) URLs with a query string are returned unchanged.
 */
export function normalizeGitURL(repo: string): string {
  const orig = repo;
  const lower = repo.toLowerCase();
  for (const scheme of ['http://', 'https://', 'ssh://']) {
    if (!lower.startsWith(scheme)) continue;
    const rest = lower.slice(scheme.length);
    const end = rest.search(/[/?#]/);
    let authority = end < 0 ? rest : rest.slice(0, end);
    const tail = splitTail(end < 0 ? '' : rest.slice(end));
    if (tail.query !== undefined && tail.query !== '') return orig;
    if (scheme !== 'ssh://') {
      const at = authority.lastIndexOf('@');
      if (at >= 0) authority = authority.slice(at + 1);
    }
    return `${scheme}${authority}${joinTail({ ...tail, path: trimRepoSuffixes(tail.path) })}`;
  }
  const m = SCP_SYNTAX.exec(lower);
  if (m === null) return orig;
  const userHost = m[1] ?? '';
  const rawPath = m[2] ?? '';
  if (rawPath.startsWith(':')) return orig;
  let tail: SplitTail;
  let authority = '';
  if (rawPath.startsWith('//')) {
    const rest = rawPath.slice(2);
    const end = rest.search(/[/?#]/);
    authority = end < 0 ? rest : rest.slice(0, end);
    tail = splitTail(end < 0 ? '' : rest.slice(end));
  } else {
    tail = splitTail(rawPath);
  }
  const path = `${authority !== '' ? `//${authority}` : ''}${joinTail({ ...tail, path: trimRepoSuffixes(tail.path) })}`;
  return path === '' ? `ssh://${userHost}` : `ssh://${userHost}/${path}`;
}

const REPOSITORY_CHARS = /^[a-z0-9_\-./]{2,255}$/;
const TAG = /^[\w.-]{1,128}$/;
const DIGEST = /^[sh:0-9a-f]{71}$/;
const REGISTRY = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(:[0-9]*)?$/i;
const DOCKER_HUB = 'index.docker.io';

interface ImageRef {
  registry: string;
  repository: string;
}

function parseRepository(name: string): ImageRef | undefined {
  if (name === '') return undefined;
  let registry = '';
  let repo = name;
  const slash = name.indexOf('/');
  if (slash >= 0) {
    const first = name.slice(0, slash);
    if (first.includes('.') || first.includes(':')) {
      registry = first;
      repo = name.slice(slash + 1);
    }
  }
  if (!REPOSITORY_CHARS.test(repo)) return undefined;
  if (registry === '' || registry === 'docker.io') registry = DOCKER_HUB;
  if (!REGISTRY.test(registry)) return undefined;
  if (!repo.includes('/') && registry === DOCKER_HUB) repo = `library/${repo}`;
  return { registry, repository: repo };
}

function parseTagged(name: string): ImageRef | undefined {
  let base = name;
  const parts = name.split(':');
  const last = parts[parts.length - 1] ?? '';
  if (parts.length > 1 && !last.includes('/')) {
    base = parts.slice(0, -1).join(':');
    if (!TAG.test(last)) return undefined;
  }
  return parseRepository(base);
}

function parseReference(name: string): ImageRef | undefined {
  const tagged = parseTagged(name);
  if (tagged !== undefined) return tagged;
  const parts = name.split('@');
  if (parts.length !== 2 || !DIGEST.test(parts[1] ?? '')) return undefined;
  return parseTagged(parts[0] ?? '');
}

/**
 * Kargo's `urls.NormalizeImage` (go-containerregistry's weak parsing): drops the Docker Hub
 * host (`docker.io`, `index.docker.io`, `registry-1.docker.io`) and its `library/` prefix,
 * and any tag or digest. Unparseable input is returned unchanged.
 */
export function normalizeImageRepo(repoURL: string): string {
  const ref = parseReference(repoURL);
  if (ref === undefined) return repoURL;
  if (ref.registry === DOCKER_HUB || ref.registry === 'registry-1.docker.io') {
    return ref.repository.startsWith('library/') ? ref.repository.slice('library/'.length) : ref.repository;
  }
  return `${ref.registry}/${ref.repository}`;
}

/**
 * Kargo's `urls.NormalizeChart`: trims, lower-cases, strips `oci://`, then normalizes like an
 * image repository. An `https://` URL is not an image reference and so stays as it is.
 */
export function normalizeChartURL(repoURL: string): string {
  let s = repoURL.trim().toLowerCase();
  if (s.startsWith('oci://')) s = s.slice('oci://'.length);
  return normalizeImageRepo(s);
}

/** Go's `path.Clean`: folds `//`, `.` and `..`, drops a trailing `/`. */
export function goPathClean(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const n = path.length;
  const out: string[] = [];
  let r = 0;
  let dotdot = 0;
  if (rooted) {
    out.push('/');
    r = 1;
    dotdot = 1;
  }
  while (r < n) {
    if (path[r] === '/') r++;
    else if (path[r] === '.' && (r + 1 === n || path[r + 1] === '/')) r++;
    else if (path[r] === '.' && path[r + 1] === '.' && (r + 2 === n || path[r + 2] === '/')) {
      r += 2;
      if (out.length > dotdot) {
        let w = out.length - 1;
        while (w > dotdot && out[w] !== '/') w--;
        out.length = w;
      } else if (!rooted) {
        if (out.length > 0) out.push('/');
        out.push('.', '.');
        dotdot = out.length;
      }
    } else {
      if ((rooted && out.length !== 1) || (!rooted && out.length !== 0)) out.push('/');
      while (r < n && path[r] !== '/') out.push(path[r++] ?? '');
    }
  }
  return out.length === 0 ? '.' : out.join('');
}

/** Go's `path.Join`: joins the non-empty elements with `/` and cleans the result. */
export function goPathJoin(...elems: string[]): string {
  const first = elems.findIndex((e) => e !== '');
  return first < 0 ? '' : goPathClean(elems.slice(first).join('/'));
}
