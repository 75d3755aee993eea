/**
 * Bitbucket Cloud REST 2.0 (`/2.0/repositories/<workspace>/<slug>/pullrequests`): BBQL `q`
 * filtering, repeated `state`, paged `values`, abbreviated merge commit hashes resolved through
 * `/commit/<hash>`, `{type: "error", error: {message}}` errors.
 */
import { strAt, type Dialect, type DialectHost, type FakePull, type Reply } from './dialect.js';

const error = (status: number, message: string, fields?: Record<string, string[]>): Reply => ({
  status,
  body: { type: 'error', error: { message, ...(fields ? { fields } : {}) } },
});

function bbPull(host: DialectHost, p: FakePull): Record<string, unknown> {
  return {
    type: 'pullrequest',
    id: p.number,
    title: p.title,
    description: p.body,
    state: p.merged ? 'MERGED' : p.state === 'open' ? 'OPEN' : 'DECLINED',
    draft: p.draft,
    links: { html: { href: `${host.base}/${p.owner}/${p.repo}/pull-requests/${p.number}` } },
    source: { branch: { name: p.head }, repository: { full_name: `${p.owner}/${p.repo}` } },
    destination: { branch: { name: p.base }, repository: { full_name: `${p.owner}/${p.repo}` } },
    merge_commit: p.mergeSHA ? { type: 'commit', hash: p.mergeSHA.slice(0, 12) } : null,
  };
}

/** The branch names a BBQL query `source.branch.name = "a" AND destination.branch.name = "b"` asks for. */
function bbqlBranches(q: string): { source?: string; destination?: string } | undefined {
  const out: { source?: string; destination?: string } = {};
  for (const clause of q.split(/\s+AND\s+/)) {
    const m = /^(source|destination)\.branch\.name\s*=\s*"((?:[^"\\]|\\.)*)"$/.exec(clause.trim());
    if (!m) return undefined;
    out[m[1] as 'source' | 'destination'] = (m[2] ?? '').replace(/\\(.)/g, '$1');
  }
  return out;
}

const STRATEGIES = ['merge_commit', 'squash', 'fast_forward', 'squash_fast_forward', 'rebase_fast_forward', 'rebase_merge'];

export const bitbucketCloud: Dialect = {
  isApi: (path) => path.startsWith('/2.0/'),
  gitPath: (path) => path,
  repoURL: (base, owner, repo) => `${base}/${owner}/${repo}.git`,
  authorized: (headers, token) => headers['authorization'] === `Bearer ${token}`,
  unauthorized: () => error(401, 'Token is invalid, expired, or not supported for this endpoint.'),
  invalid: (message) => error(400, message),
  async handle(host, method, url, body) {
    const m = /^\/2\.0\/repositories\/([^/]+)\/([^/]+)\/(pullrequests|commit)(?:\/([^/]+))?(?:\/(merge))?$/.exec(url.pathname);
    if (!m) return error(404, 'Resource not found');
    const [, owner = '', repo = '', kind, id, action] = m;
    if (kind === 'commit' && id && method === 'GET') {
      const sha = await host.resolve({ owner, repo }, id);
      return sha ? { status: 200, body: { type: 'commit', hash: sha } } : error(404, `Commit not found: ${id}`);
    }
    if (!id && method === 'GET') {
      const states = url.searchParams.getAll('state');
      const q = url.searchParams.get('q');
      const branches = q ? bbqlBranches(q) : {};
      if (!branches) return error(400, `Invalid query: ${q}`);
      const list = host.pulls
        .filter((p) => p.owner === owner && p.repo === repo)
        .filter((p) => (states.length === 0 ? p.state === 'open' : states.includes(String(bbPull(host, p)['state']))))
        .filter((p) => (!branches.source || p.head === branches.source) && (!branches.destination || p.base === branches.destination))
        .reverse();
      return { status: 200, body: { pagelen: Number(url.searchParams.get('pagelen') ?? '10'), size: list.length, page: 1, values: list.map((p) => bbPull(host, p)) } };
    }
    if (!id && method === 'POST') {
      const fields: Record<string, string[]> = {};
      if (!strAt(body, 'title')) fields['title'] = ['This field is required.'];
      if (!strAt(body, 'source', 'branch', 'name')) fields['source'] = ['This field is required.'];
      if (Object.keys(fields).length > 0) return error(400, `${Object.keys(fields)[0]}: This field is required.`, fields);
      const head = strAt(body, 'source', 'branch', 'name') as string;
      const base = strAt(body, 'destination', 'branch', 'name') ?? 'main';
      if (!(await host.resolve({ owner, repo }, `refs/heads/${base}`))) return error(400, `destination: Branch not found: ${base}`);
      // Bitbucket answers a second create for the same branches with the open pull request (updated).
      const p = host.openPull(owner, repo, head, base) ?? host.addPull({ owner, repo, head, base, title: strAt(body, 'title') as string, body: strAt(body, 'description') ?? '', labels: [] });
      return { status: 201, body: bbPull(host, p) };
    }
    const p = host.pulls.find((x) => x.number === Number(id) && x.owner === owner && x.repo === repo);
    if (!p) return error(404, `Pull request not found: ${id}`);
    if (!action && method === 'GET') return { status: 200, body: bbPull(host, p) };
    if (action === 'merge' && method === 'POST') {
      const strategy = strAt(body, 'merge_strategy') ?? 'merge_commit';
      if (!STRATEGIES.includes(strategy)) return error(400, `merge_strategy: "${strategy}" is not a valid choice.`);
      if (p.merged || p.state !== 'open') return error(400, 'You can\'t merge a pull request that is not open.');
      if (!p.mergeable) return error(400, 'You can\'t merge until you resolve all merge checks.');
      await host.merge(p, strategy);
      if (host.mergeInBackground) {
        return { status: 202, body: { task_status: 'PENDING', links: { self: { href: `${host.base}/2.0/repositories/${owner}/${repo}/pullrequests/${p.number}/merge/task-status/1` } } } };
      }
      return { status: 200, body: bbPull(host, p) };
    }
    return error(404, 'Resource not found');
  },
};
