/**
 * Azure DevOps Git REST 7.1 (`/<org>/<project>/_apis/git/repositories/<repo>/pullrequests`,
 * `api-version` required): Basic auth with the PAT as password, `{value: [...]}` lists,
 * `searchCriteria.*` filters, completion by PATCH `status: completed` with the checked
 * `lastMergeSourceCommit` — answered while still active (completion is asynchronous; it is done
 * by the next read). Clone URLs `/<org>/<project>/_git/<repo>`. Errors: `{ $id, message, typeKey, … }`.
 */
import { strAt, type Dialect, type DialectHost, type FakePull, type Reply } from './dialect.js';

export const AZURE_ORG = 'org';

const error = (status: number, message: string, typeKey: string): Reply => ({
  status,
  body: { $id: '1', innerException: null, message, typeName: `Microsoft.VisualStudio.Services.${typeKey}, Microsoft.VisualStudio.Services.WebApi`, typeKey, errorCode: 0, eventId: 3000 },
});

/** Pull requests whose completion was queued: completed when next read. */
const queued = new WeakSet<FakePull>();

async function adoPull(host: DialectHost, p: FakePull): Promise<Record<string, unknown>> {
  if (queued.has(p)) {
    queued.delete(p);
    await host.merge(p, p.mergeMethod);
  }
  const webUrl = `${host.base}/${AZURE_ORG}/${p.owner}/_git/${p.repo}`;
  const source = await host.resolve(p, `refs/heads/${p.head}`);
  return {
    pullRequestId: p.number,
    codeReviewId: p.number,
    status: p.merged ? 'completed' : p.state === 'open' ? 'active' : 'abandoned',
    title: p.title,
    description: p.body,
    isDraft: p.draft,
    mergeStatus: p.mergeable ? 'succeeded' : 'conflicts',
    sourceRefName: `refs/heads/${p.head}`,
    targetRefName: `refs/heads/${p.base}`,
    repository: { id: '3411ebc1-d5aa-464f-9615-0b527bc66719', name: p.repo, webUrl, project: { name: p.owner } },
    labels: p.labels.map((name) => ({ id: name, name, active: true })),
    ...(source && !p.merged ? { lastMergeSourceCommit: { commitId: source } } : {}),
    ...(p.mergeSHA ? { lastMergeCommit: { commitId: p.mergeSHA } } : {}),
    url: `${host.base}/${AZURE_ORG}/${p.owner}/_apis/git/repositories/${p.repo}/pullRequests/${p.number}`,
  };
}

const STRATEGIES = ['noFastForward', 'rebase', 'rebaseMerge', 'squash'];

export const azure: Dialect = {
  isApi: (path) => path.split('/')[3] === '_apis',
  gitPath: (path) => {
    const m = /^\/[^/]+\/([^/]+)\/_git\/([^/]+)(\/.*)?$/.exec(path);
    return m ? `/${m[1]}/${m[2]}.git${m[3] ?? ''}` : path;
  },
  repoURL: (base, owner, repo) => `${base}/${AZURE_ORG}/${owner}/_git/${repo}`,
  authorized: (headers, token) => headers['authorization'] === `Basic ${Buffer.from(`:${token}`).toString('base64')}`,
  unauthorized: () => error(401, 'TF400813: The user \'\' is not authorized to access this resource.', 'UnauthorizedRequestException'),
  invalid: (message) => error(400, message, 'InvalidArgumentValueException'),
  async handle(host, method, url, body) {
    if (!url.searchParams.get('api-version')) {
      return error(400, `No api-version was supplied for the "${method}" request. The version must be supplied either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query parameter (e.g. '?api-version=1.0').`, 'VssVersionNotSpecifiedException');
    }
    const m = /^\/([^/]+)\/([^/]+)\/_apis\/git\/repositories\/([^/]+)\/pullrequests(?:\/(\d+))?$/i.exec(url.pathname);
    if (!m || m[1] !== AZURE_ORG) return error(404, 'The requested resource does not exist.', 'NotFoundException');
    const [, , owner = '', repo = '', id] = m;
    if (!id && method === 'GET') {
      const source = url.searchParams.get('searchCriteria.sourceRefName');
      const target = url.searchParams.get('searchCriteria.targetRefName');
      const status = url.searchParams.get('searchCriteria.status') ?? 'active';
      const all = host.pulls.filter((p) => p.owner === owner && p.repo === repo).reverse();
      const value = [];
      for (const p of all) {
        const a = await adoPull(host, p);
        if ((!source || a['sourceRefName'] === source) && (!target || a['targetRefName'] === target) && (status === 'all' || a['status'] === status)) value.push(a);
      }
      return { status: 200, body: { value, count: value.length } };
    }
    if (!id && method === 'POST') {
      const head = strAt(body, 'sourceRefName')?.replace(/^refs\/heads\//, '');
      const base = strAt(body, 'targetRefName')?.replace(/^refs\/heads\//, '');
      if (!head || !base) return error(400, 'TF401173: The pull request must have a source and target ref.', 'InvalidArgumentValueException');
      if (!strAt(body, 'title')) return error(400, 'The title of the pull request cannot be empty.', 'InvalidArgumentValueException');
      const existing = host.openPull(owner, repo, head, base);
      if (existing) return error(409, `TF401179: An active pull request for the source and target branch already exists.`, 'GitPullRequestExistsException');
      const labels = Array.isArray(body['labels']) ? (body['labels'] as unknown[]).map((l) => strAt(l, 'name') ?? '') : [];
      const p = host.addPull({ owner, repo, head, base, title: strAt(body, 'title') as string, body: strAt(body, 'description') ?? '', labels });
      return { status: 201, body: await adoPull(host, p) };
    }
    const p = host.pulls.find((x) => x.number === Number(id) && x.owner === owner && x.repo === repo);
    if (!p) return error(404, `TF401180: The requested pull request was not found.`, 'GitPullRequestNotFoundException');
    if (method === 'GET') return { status: 200, body: await adoPull(host, p) };
    if (method === 'PATCH') {
      if (body['status'] !== 'completed') return error(400, 'Only completion is supported by this fake.', 'InvalidArgumentValueException');
      if (p.state !== 'open' || p.merged) return error(400, 'TF401181: The pull request cannot be edited due to its state.', 'InvalidArgumentValueException');
      const source = await host.resolve(p, `refs/heads/${p.head}`);
      const given = strAt(body, 'lastMergeSourceCommit', 'commitId');
      if (!given) return error(400, 'TF401182: lastMergeSourceCommit is required to complete a pull request.', 'InvalidArgumentValueException');
      if (given !== source) return error(409, 'TF401192: The source branch has been updated since the pull request was last evaluated.', 'GitPullRequestStaleException');
      if (p.draft || !p.mergeable) return error(409, 'TF401398: The pull request cannot be completed: policies are not met or it has conflicts.', 'GitPullRequestCannotBeCompletedException');
      const strategy = strAt(body, 'completionOptions', 'mergeStrategy') ?? 'noFastForward';
      if (!STRATEGIES.includes(strategy)) return error(400, `Invalid merge strategy ${strategy}.`, 'InvalidArgumentValueException');
      p.mergeMethod = strategy;
      const answer = await adoPull(host, p);
      queued.add(p);
      return { status: 200, body: { ...answer, completionQueueTime: '2024-01-02T03:04:05Z' } };
    }
    return error(405, `The HTTP method ${method} is not supported.`, 'MethodNotAllowedException');
  },
};
