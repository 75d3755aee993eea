/** GitLab REST v4: project merge requests and merge. */
import { str, type Dialect, type DialectHost, type FakePull, type Reply } from './dialect.js';

function glMR(host: DialectHost, p: FakePull): Record<string, unknown> {
  return {
    iid: p.number,
    web_url: `${host.base}/${p.owner}/${p.repo}/-/merge_requests/${p.number}`,
    state: p.merged ? 'merged' : p.state === 'open' ? 'opened' : 'closed',
    merge_commit_sha: p.mergeMethod === 'squash' ? null : (p.mergeSHA ?? null),
    squash_commit_sha: p.mergeMethod === 'squash' ? (p.mergeSHA ?? null) : null,
    source_branch: p.head,
    target_branch: p.base,
    title: p.title,
    description: p.body,
    labels: p.labels,
  };
}

const notFound: Reply = { status: 404, body: { message: '404 Not found' } };

export const gitlab: Dialect = {
  isApi: (path) => path.startsWith('/api/v4/'),
  gitPath: (path) => path,
  repoURL: (base, owner, repo) => `${base}/${owner}/${repo}.git`,
  authorized: (headers, token) => headers['private-token'] === token,
  unauthorized: () => ({ status: 401, body: { message: '401 Unauthorized' } }),
  invalid: (message) => ({ status: 400, body: { error: message } }),
  async handle(host, method, url, body) {
    const m = /^\/api\/v4\/projects\/([^/]+)\/merge_requests(?:\/(\d+))?(?:\/(merge))?$/.exec(url.pathname);
    if (!m) return notFound;
    const projectPath = decodeURIComponent(m[1] ?? '');
    const [owner = '', ...rest] = projectPath.split('/');
    const repo = rest.join('/');
    const iid = m[2];
    if (!iid && method === 'GET') {
      const source = url.searchParams.get('source_branch');
      const target = url.searchParams.get('target_branch');
      const list = host.pulls.filter((p) => p.owner === owner && p.repo === repo && (!source || p.head === source) && (!target || p.base === target)).reverse();
      return { status: 200, body: list.map((p) => glMR(host, p)) };
    }
    if (!iid && method === 'POST') {
      const missing = ['source_branch', 'target_branch', 'title'].find((f) => !str(body, f));
      if (missing) return { status: 400, body: { error: `${missing} is missing` } };
      const [head, base] = [str(body, 'source_branch') as string, str(body, 'target_branch') as string];
      if (host.openPull(owner, repo, head, base)) {
        return { status: 409, body: { message: [`Another open merge request already exists for this source branch: !${host.openPull(owner, repo, head, base)?.number}`] } };
      }
      const labels = str(body, 'labels')?.split(',') ?? [];
      const p = host.addPull({ owner, repo, head, base, title: str(body, 'title') as string, body: str(body, 'description') ?? '', labels });
      return { status: 201, body: glMR(host, p) };
    }
    const p = host.pulls.find((x) => x.number === Number(iid) && x.owner === owner && x.repo === repo);
    if (!p) return notFound;
    if (!m[3] && method === 'GET') return { status: 200, body: glMR(host, p) };
    if (m[3] === 'merge' && method === 'PUT') {
      if (p.merged || p.state !== 'open') return { status: 405, body: { message: '405 Method Not Allowed' } };
      if (!p.mergeable) return { status: 406, body: { message: 'Branch cannot be merged' } };
      await host.merge(p, body['squash'] === true ? 'squash' : 'merge');
      return { status: 200, body: glMR(host, p) };
    }
    return notFound;
  },
};
