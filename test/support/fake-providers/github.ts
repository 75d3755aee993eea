/** GitHub REST (`/api/v3`, as GitHub Enterprise Server serves it): pulls, labels, merge. */
import { gitData } from './github-git-data.js';
import { str, type Dialect, type DialectHost, type FakePull, type Reply } from './dialect.js';

function ghPull(host: DialectHost, p: FakePull): Record<string, unknown> {
  return {
    number: p.number,
    html_url: `${host.base}/${p.owner}/${p.repo}/pull/${p.number}`,
    state: p.state,
    merged: p.merged,
    merged_at: p.merged ? '2024-01-02T03:04:05Z' : null,
    merge_commit_sha: p.mergeSHA ?? null,
    head: { ref: p.head },
    base: { ref: p.base },
    title: p.title,
    body: p.body,
    labels: p.labels.map((name) => ({ name })),
  };
}

const notFound: Reply = { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };

export const github: Dialect = {
  isApi: (path) => path.startsWith('/api/v3/'),
  gitPath: (path) => path,
  repoURL: (base, owner, repo) => `${base}/${owner}/${repo}.git`,
  authorized: (headers, token) => headers['authorization'] === `Bearer ${token}`,
  unauthorized: () => ({ status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' } }),
  invalid: (message) => ({ status: 400, body: { message } }),
  async handle(host, method, url, body) {
    const data = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)(\/(?:git|compare)\/.+)$/.exec(url.pathname);
    if (data) return gitData(host, data[1] ?? '', data[2] ?? '', method, decodeURIComponent(data[3] ?? ''), body);
    const m = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/(pulls|issues)(?:\/(\d+))?(?:\/(merge|labels))?$/.exec(url.pathname);
    if (!m) return notFound;
    const [, owner = '', repo = '', kind, num, action] = m;
    if (kind === 'pulls' && !num && method === 'GET') {
      const head = url.searchParams.get('head');
      const base = url.searchParams.get('base');
      const list = host.pulls
        .filter((p) => p.owner === owner && p.repo === repo && (!head || `${owner}:${p.head}` === head) && (!base || p.base === base))
        .reverse();
      return { status: 200, body: list.map((p) => ghPull(host, p)) };
    }
    if (kind === 'pulls' && !num && method === 'POST') {
      const missing = ['title', 'head', 'base'].filter((f) => !str(body, f));
      if (missing.length > 0) {
        return { status: 422, body: { message: 'Validation Failed', errors: missing.map((field) => ({ resource: 'PullRequest', field, code: 'missing_field' })) } };
      }
      const [head, base] = [str(body, 'head') as string, str(body, 'base') as string];
      if (host.openPull(owner, repo, head, base)) {
        return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${head}.` }] } };
      }
      const p = host.addPull({ owner, repo, head, base, title: str(body, 'title') as string, body: str(body, 'body') ?? '', labels: [] });
      return { status: 201, body: ghPull(host, p) };
    }
    const p = host.pulls.find((x) => x.number === Number(num) && x.owner === owner && x.repo === repo);
    if (!p) return notFound;
    if (kind === 'issues' && action === 'labels' && method === 'POST') {
      const labels = body['labels'];
      if (!Array.isArray(labels)) return { status: 422, body: { message: 'Invalid request.\n\nNo subschema in "anyOf" matched.' } };
      p.labels.push(...labels.map(String));
      return { status: 200, body: p.labels.map((name) => ({ name })) };
    }
    if (kind === 'pulls' && !action && method === 'GET') return { status: 200, body: ghPull(host, p) };
    if (kind === 'pulls' && action === 'merge' && method === 'PUT') {
      if (p.merged || p.state !== 'open' || !p.mergeable) return { status: 405, body: { message: 'Pull Request is not mergeable' } };
      const sha = await host.merge(p, str(body, 'merge_method') ?? 'merge');
      return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } };
    }
    return notFound;
  },
};
