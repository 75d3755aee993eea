/** Gitea REST v1 (`/api/v1`): pulls (listed with paging), labels by id, merge with `Do`. */
import { str, type Dialect, type DialectHost, type FakePull, type Reply } from './dialect.js';

const SWAGGER = 'http://gitea.local/api/swagger';
const error = (status: number, message: string): Reply => ({ status, body: { message, url: SWAGGER } });
const STYLES = ['merge', 'rebase', 'rebase-merge', 'squash', 'fast-forward-only', 'manually-merged'];

function giteaPull(host: DialectHost, p: FakePull): Record<string, unknown> {
  return {
    id: 1000 + p.number,
    number: p.number,
    html_url: `${host.base}/${p.owner}/${p.repo}/pulls/${p.number}`,
    state: p.state,
    merged: p.merged,
    merged_at: p.merged ? '2024-01-02T03:04:05Z' : null,
    merge_commit_sha: p.mergeSHA ?? null,
    mergeable: p.mergeable,
    title: p.title,
    body: p.body,
    head: { ref: p.head, label: p.head },
    base: { ref: p.base, label: p.base },
    labels: p.labels.map((name) => host.labels.find((l) => l.name === name)),
  };
}

export const gitea: Dialect = {
  isApi: (path) => path.startsWith('/api/v1/'),
  gitPath: (path) => path,
  repoURL: (base, owner, repo) => `${base}/${owner}/${repo}.git`,
  // Gitea takes `token <t>` (and, since 1.16, `Bearer <t>`).
  authorized: (headers, token) => headers['authorization'] === `token ${token}` || headers['authorization'] === `Bearer ${token}`,
  unauthorized: () => error(401, 'user does not exist [uid: 0, name: ]'),
  invalid: (message) => error(422, message),
  async handle(host, method, url, body) {
    const m = /^\/api\/v1\/repos\/([^/]+)\/([^/]+)\/(pulls|labels)(?:\/(\d+))?(?:\/(merge))?$/.exec(url.pathname);
    if (!m) return error(404, 'The target couldn\'t be found.');
    const [, owner = '', repo = '', kind, num, action] = m;
    const page = Number(url.searchParams.get('page') ?? '1');
    const limit = Number(url.searchParams.get('limit') ?? '30');
    const paged = <T>(all: T[]): T[] => all.slice((page - 1) * limit, page * limit);
    if (kind === 'labels' && method === 'GET') return { status: 200, body: paged(host.labels) };
    if (kind === 'pulls' && !num && method === 'GET') {
      const state = url.searchParams.get('state') ?? 'open';
      const list = host.pulls.filter((p) => p.owner === owner && p.repo === repo && (state === 'all' || p.state === state)).reverse();
      return { status: 200, body: paged(list).map((p) => giteaPull(host, p)) };
    }
    if (kind === 'pulls' && !num && method === 'POST') {
      const missing = ['head', 'base'].find((f) => !str(body, f));
      if (missing) return error(422, `[${missing[0]?.toUpperCase()}${missing.slice(1)}]: Required`);
      const [head, base] = [str(body, 'head') as string, str(body, 'base') as string];
      const existing = host.openPull(owner, repo, head, base);
      if (existing) return error(409, `pull request already exists for these targets [id: ${1000 + existing.number}, issue_id: ${existing.number}, head_repo_id: 1, base_repo_id: 1, head_branch: ${head}, base_branch: ${base}]`);
      const ids = body['labels'] ?? [];
      if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'number')) return error(422, '[Labels]: must be an array of label ids');
      const unknown = (ids as number[]).find((id) => !host.labels.some((l) => l.id === id));
      if (unknown !== undefined) return error(422, `label does not exist [id: ${unknown}]`);
      const labels = (ids as number[]).map((id) => host.labels.find((l) => l.id === id)?.name as string);
      const p = host.addPull({ owner, repo, head, base, title: str(body, 'title') ?? head, body: str(body, 'body') ?? '', labels });
      return { status: 201, body: giteaPull(host, p) };
    }
    const p = host.pulls.find((x) => x.number === Number(num) && x.owner === owner && x.repo === repo);
    if (!p) return error(404, 'The target couldn\'t be found.');
    if (kind === 'pulls' && !action && method === 'GET') return { status: 200, body: giteaPull(host, p) };
    if (kind === 'pulls' && action === 'merge' && method === 'POST') {
      const style = str(body, 'Do');
      if (!style) return error(422, '[Do]: Required');
      if (!STYLES.includes(style)) return error(422, `[Do]: In ${STYLES.join(',')}`);
      if (p.merged) return error(405, 'PR already merged');
      if (p.state !== 'open' || !p.mergeable) return error(405, 'Please try again later');
      await host.merge(p, style);
      return { status: 200 };
    }
    return error(404, 'The target couldn\'t be found.');
  },
};
