/**
 * Bitbucket Data Center REST 1.0 (`/rest/api/1.0/projects/<key>/repos/<slug>/pull-requests`):
 * clone URLs under `/scm/<key>/<slug>.git`, paged answers, `fromRef`/`toRef` with full ref ids,
 * merge with the pull request's `version` (409 when stale or vetoed), `{errors: [...]}` errors.
 */
import { strAt, type Dialect, type DialectHost, type FakePull, type Reply } from './dialect.js';

const error = (status: number, message: string, exceptionName: string | null, extra: Record<string, unknown> = {}): Reply => ({
  status,
  body: { errors: [{ context: null, message, exceptionName, ...extra }] },
});

const ref = (p: FakePull, branch: string): Record<string, unknown> => ({
  id: `refs/heads/${branch}`,
  displayId: branch,
  repository: { slug: p.repo, project: { key: p.owner.toUpperCase() } },
});

function dcPull(host: DialectHost, p: FakePull): Record<string, unknown> {
  const state = p.merged ? 'MERGED' : p.state === 'open' ? 'OPEN' : 'DECLINED';
  return {
    id: p.number,
    version: p.version,
    title: p.title,
    description: p.body,
    state,
    open: state === 'OPEN',
    closed: state !== 'OPEN',
    draft: p.draft,
    fromRef: ref(p, p.head),
    toRef: ref(p, p.base),
    links: { self: [{ href: `${host.base}/projects/${p.owner.toUpperCase()}/repos/${p.repo}/pull-requests/${p.number}` }] },
    ...(p.mergeSHA ? { properties: { mergeCommit: { displayId: p.mergeSHA.slice(0, 11), id: p.mergeSHA } } } : {}),
  };
}

const STRATEGIES = ['no-ff', 'ff', 'ff-only', 'squash', 'squash-ff-only', 'rebase-no-ff', 'rebase-ff-only'];
const branchOf = (refId: string | undefined): string | undefined => (refId?.startsWith('refs/heads/') ? refId.slice('refs/heads/'.length) : undefined);

export const bitbucketDataCenter: Dialect = {
  isApi: (path) => path.startsWith('/rest/'),
  gitPath: (path) => path.replace(/^\/scm\//, '/'),
  repoURL: (base, owner, repo) => `${base}/scm/${owner}/${repo}.git`,
  authorized: (headers, token) => headers['authorization'] === `Bearer ${token}`,
  unauthorized: () => error(401, 'Authentication failed. Please check your credentials and try again.', 'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException'),
  invalid: (message) => error(400, message, null),
  async handle(host, method, url, body) {
    const m = /^\/rest\/api\/1\.0\/projects\/([^/]+)\/repos\/([^/]+)\/pull-requests(?:\/(\d+))?(?:\/(merge))?$/.exec(url.pathname);
    if (!m) return error(404, 'Not found', 'com.atlassian.bitbucket.NoSuchEntityException');
    // Project keys are upper case; the API takes them in any case.
    const [, key = '', repo = '', id, action] = m;
    const owner = key.toLowerCase();
    if (!id && method === 'GET') {
      const state = (url.searchParams.get('state') ?? 'OPEN').toUpperCase();
      const at = url.searchParams.get('at');
      const direction = (url.searchParams.get('direction') ?? 'INCOMING').toUpperCase();
      const list = host.pulls
        .filter((p) => p.owner === owner && p.repo === repo)
        .filter((p) => state === 'ALL' || String(dcPull(host, p)['state']) === state)
        .filter((p) => !at || `refs/heads/${direction === 'OUTGOING' ? p.head : p.base}` === at)
        .reverse();
      const start = Number(url.searchParams.get('start') ?? '0');
      const limit = Number(url.searchParams.get('limit') ?? '25');
      const values = list.slice(start, start + limit);
      const isLastPage = start + limit >= list.length;
      return { status: 200, body: { size: values.length, limit, start, isLastPage, values: values.map((p) => dcPull(host, p)), ...(isLastPage ? {} : { nextPageStart: start + limit }) } };
    }
    if (!id && method === 'POST') {
      if (!strAt(body, 'title')) return error(400, 'Please enter a non-empty value less than 255 characters', null, { context: 'title' });
      const head = branchOf(strAt(body, 'fromRef', 'id'));
      const base = branchOf(strAt(body, 'toRef', 'id'));
      if (!head || !base) return error(400, 'fromRef and toRef must name branches (refs/heads/…)', null, { context: head ? 'toRef' : 'fromRef' });
      for (const b of [head, base]) {
        if (!(await host.resolve({ owner, repo }, `refs/heads/${b}`))) return error(404, `Repository ${key}/${repo} does not contain ref refs/heads/${b}.`, 'com.atlassian.bitbucket.repository.NoSuchBranchException');
      }
      const existing = host.openPull(owner, repo, head, base);
      if (existing) {
        return error(409, `Only one pull request may be open for a given source and target branch`, 'com.atlassian.bitbucket.pull.DuplicatePullRequestException', {
          existingPullRequest: dcPull(host, existing),
        });
      }
      const p = host.addPull({ owner, repo, head, base, title: strAt(body, 'title') as string, body: strAt(body, 'description') ?? '', labels: [] });
      return { status: 201, body: dcPull(host, p) };
    }
    const p = host.pulls.find((x) => x.number === Number(id) && x.owner === owner && x.repo === repo);
    if (!p) return error(404, `Pull request ${id} does not exist in ${key}/${repo}.`, 'com.atlassian.bitbucket.pull.NoSuchPullRequestException');
    if (!action && method === 'GET') return { status: 200, body: dcPull(host, p) };
    if (action === 'merge' && method === 'POST') {
      const version = url.searchParams.get('version');
      if (version === null || Number(version) !== p.version) {
        return error(409, 'You are attempting to modify a pull request based on out-of-date information.', 'com.atlassian.bitbucket.pull.PullRequestOutOfDateException', { currentVersion: p.version });
      }
      const strategy = strAt(body, 'strategyId') ?? 'no-ff';
      if (!STRATEGIES.includes(strategy)) return error(400, `The merge strategy "${strategy}" is not enabled for this repository.`, 'com.atlassian.bitbucket.scm.MergeStrategyNotEnabledException');
      if (p.state !== 'open') return error(409, 'The pull request is not open.', 'com.atlassian.bitbucket.pull.IllegalPullRequestStateException');
      if (!p.mergeable) {
        return error(409, 'Merging the pull request has been vetoed.', 'com.atlassian.bitbucket.pull.PullRequestMergeVetoedException', {
          vetoes: [{ summaryMessage: 'Not all required builds are successful yet', detailedMessage: 'You cannot merge this pull request while it has failed builds.' }],
        });
      }
      await host.merge(p, strategy);
      return { status: 200, body: dcPull(host, p) };
    }
    return error(405, `Method ${method} is not supported here.`, null);
  },
};
