/**
 * Issue 17, "Webhook receivers": Gitea, Bitbucket, Harbor, Artifactory and Azure receivers as
 * Kargo's (pkg/webhook/external): each provider's real payload (test/fixtures/webhooks) refreshes
 * the warehouses Kargo would refresh; a bad signature or token is 401, an event Kargo refuses is
 * its 400 or 501, a malformed body 400, and none of them refresh anything. Receivers of the
 * ClusterConfig refresh matching warehouses in every project, with their Secrets read in the
 * system namespace.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ClusterConfig, Warehouse } from '../../core/model.js';
import type { ProjectState } from '../../core/project/state.js';
import { noteApplied } from '../../api/webhooks/receiver-index.js';
import { receiverToken } from '../../api/webhooks/verify.js';
import { enforcedAccess } from '../../api/auth/index.js';
import { emptyProject, FakeBackend } from './fake-backend.js';
import { PROJECT_TOKENS, projectAuthConfig } from './project-fixtures.js';
import { startApi, type RunningApi } from './support.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/webhooks/${name}`, import.meta.url), 'utf8');

/** Secrets by namespace and name. */
const SECRETS: Record<string, Record<string, Record<string, string>>> = {
  proja: {
    gitea: { secret: 'gitea-secret' },
    bitbucket: { secret: 'bb-secret' },
    harbor: { 'auth-header': 'Bearer harbor-token' },
    jfrog: { 'secret-token': 'jfrog-secret' },
    azure: { secret: 'azure-secret' },
  },
  'kargo-system-resources': { 'org-gitea': { secret: 'org-secret' } },
};
const secrets = { forProject: (ns: string) => ({ secret: async (name: string) => ({ ...(SECRETS[ns]?.[name] ?? {}) }) }) };

let n = 0;
const warehouse = (project: string, name: string, sub: Record<string, unknown>): Warehouse =>
  ({ apiVersion: 'kargo.akuity.io/v1alpha1', kind: 'Warehouse', metadata: { name, namespace: project }, spec: { subscriptions: [sub] } }) as Warehouse;

function project(name: string, receivers: Array<{ name: string } & Record<string, unknown>>): ProjectState {
  const state = emptyProject(name);
  if (receivers.length) state.specs.config = { apiVersion: 'kargo.akuity.io/v1alpha1', kind: 'ProjectConfig', metadata: { name, namespace: name }, spec: { webhookReceivers: receivers } };
  const add = (w: string, sub: Record<string, unknown>): void => void (state.specs.warehouses[w] = warehouse(name, w, sub));
  add('gitea-develop', { git: { repoURL: 'http://localhost:3000/gitea/webhooks', branch: 'develop' } });
  add('gitea-main', { git: { repoURL: 'http://localhost:3000/gitea/webhooks', branch: 'main' } });
  add('gitea-values-only', { git: { repoURL: 'http://localhost:3000/gitea/webhooks', branch: 'develop', includePaths: ['docs'] } });
  add('bb-main', { git: { repoURL: 'https://bitbucket.org/acme/app.git', branch: 'main' } });
  add('bb-tags', { git: { repoURL: 'https://bitbucket.org/acme/app', commitSelectionStrategy: 'SemVer', semverConstraint: '^1.0.0' } });
  add('bb-server', { git: { repoURL: 'ssh://git@bitbucket.example.com:7999/proj/repository.git', branch: 'master' } });
  add('alpine', { image: { repoURL: 'harbor.example.com/library/alpine', constraint: '^1.0.0' } });
  add('alpine-v2', { image: { repoURL: 'harbor.example.com/library/alpine', constraint: '^2.0.0' } });
  add('jfrog', { image: { repoURL: 'artifactory.example.com/docker-local/test-image' } });
  add('jfrog-chart', { chart: { repoURL: 'oci://artifactory.example.com/docker-local/charts/test-chart', semverConstraint: '^1.0.0' } });
  add('jfrog-virtual', { image: { repoURL: 'artifactory.example.com/docker-virtual/test-image' } });
  add('acr', { image: { repoURL: 'myregistry.azurecr.io/hello-world', imageSelectionStrategy: 'Lexical' } });
  add('ado', { git: { repoURL: 'https://fabrikam-fiber-inc.visualstudio.com/DefaultCollection/_git/Fabrikam-Fiber-Git', branch: 'master' } });
  return state;
}

let api: RunningApi;
let backend: FakeBackend;
const path = (provider: string, receiver: string, secret: string, ns = 'proja'): string => `/webhooks/${provider}/${receiverToken(ns, receiver, secret)}`;
const GITEA = path('gitea', 'gitea', 'gitea-secret');
const BITBUCKET = path('bitbucket', 'bitbucket', 'bb-secret');
const HARBOR = path('harbor', 'harbor', 'Bearer harbor-token');
const JFROG = path('artifactory', 'jfrog', 'jfrog-secret');
const JFROG_VIRTUAL = path('artifactory', 'jfrog-virtual', 'jfrog-secret');
const AZURE = path('azure', 'azure', 'azure-secret');

beforeEach(async () => {
  n++;
  backend = new FakeBackend();
  backend.projects.set(
    'proja',
    project('proja', [
      { name: 'gitea', gitea: { secretRef: { name: 'gitea' } } },
      { name: 'bitbucket', bitbucket: { secretRef: { name: 'bitbucket' } } },
      { name: 'harbor', harbor: { secretRef: { name: 'harbor' } } },
      { name: 'jfrog', artifactory: { secretRef: { name: 'jfrog' } } },
      { name: 'jfrog-virtual', artifactory: { secretRef: { name: 'jfrog' }, virtualRepoName: 'docker-virtual' } },
      { name: 'azure', azure: { secretRef: { name: 'azure' } } },
    ]),
  );
  api = await startApi({ backend, secrets });
});
afterEach(async () => {
  await api.close();
});

const hmac = (algorithm: string, secret: string, raw: string): string => createHmac(algorithm, secret).update(raw).digest('hex');

async function call(p: string, raw: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const refreshed = (): string[] => backend.calls.filter((c) => c.method === 'refreshWarehouse').map((c) => `${String(c.args[0])}/${String(c.args[1])}`);
/** A body differing per test run only in whitespace, so the delivery log never sees a replay across tests. */
const fresh = (raw: string): string => `${raw}${' '.repeat(n)}`;

describe('Gitea (X-Gitea-Event, X-Hub-Signature-256)', () => {
  const push = fixture('gitea-push.json');
  const signed = (raw: string, event = 'push'): Record<string, string> => ({ 'x-gitea-event': event, 'x-hub-signature-256': `sha256=${hmac('sha256', 'gitea-secret', raw)}` });

  it('a push refreshes the warehouses of the pushed branch whose path filters accept the changed files', async () => {
    expect(await call(GITEA, push, signed(push))).toMatchObject({ status: 200, body: { receiver: 'gitea', project: 'proja', refreshed: ['gitea-develop'] } });
    expect(refreshed()).toEqual(['proja/gitea-develop']);
  });

  it('a redelivery (same X-Gitea-Delivery) is ignored', async () => {
    const headers = { ...signed(push), 'x-gitea-delivery': 'f6266f16-1bf3-46a5-9ea4-602e06ead473' };
    expect((await call(GITEA, push, headers)).body['refreshed']).toEqual(['gitea-develop']);
    const again = `${push}\n`;
    expect(await call(GITEA, again, { ...signed(again), 'x-gitea-delivery': 'f6266f16-1bf3-46a5-9ea4-602e06ead473' })).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(refreshed()).toEqual(['proja/gitea-develop']);
  });

  it('a truncated commit list skips path filtering (total_commits > commits)', async () => {
    const raw = JSON.stringify({ ...JSON.parse(push), total_commits: 30 });
    expect((await call(GITEA, raw, signed(raw))).body['refreshed']).toEqual(['gitea-develop', 'gitea-values-only']);
  });

  it.each([
    ['no signature', {}, 'missing X-Hub-Signature-256'],
    ['a signature with another secret', { 'x-hub-signature-256': `sha256=${hmac('sha256', 'not-it', push)}` }, 'X-Hub-Signature-256 does not match the payload'],
    ['a signature without its algorithm', { 'x-hub-signature-256': hmac('sha256', 'gitea-secret', push) }, 'X-Hub-Signature-256 is not of the form sha256=<hex>'],
  ])('%s is 401 and refreshes nothing', async (_, headers, message) => {
    const res = await call(GITEA, push, { 'x-gitea-event': 'push', ...headers });
    expect(res).toMatchObject({ status: 401, body: { error: { code: 'Unauthenticated', message: `webhook receiver "gitea": ${message}` } } });
    expect(refreshed()).toEqual([]);
  });

  it('an event Kargo does not implement is 501; a pull request still open is 200 with nothing done', async () => {
    const raw = fresh('{"action":"created"}');
    expect(await call(GITEA, raw, signed(raw, 'issue_comment'))).toMatchObject({ status: 501, body: { error: { message: 'webhook receiver "gitea": event type issue_comment is not supported' } } });
    const opened = fresh('{"action":"opened","pull_request":{"html_url":"http://localhost:3000/gitea/webhooks/pulls/7"}}');
    expect(await call(GITEA, opened, signed(opened, 'pull_request'))).toMatchObject({ status: 200, body: { refreshed: [] } });
    expect(refreshed()).toEqual([]);
  });

  it('an unsupported event is 501 before the signature is looked at, as Kargo', async () => {
    expect(await call(GITEA, push, { 'x-gitea-event': 'release' })).toMatchObject({ status: 501, body: { error: { message: 'webhook receiver "gitea": event type release is not supported' } } });
    expect(refreshed()).toEqual([]);
  });

  it('a closed pull request is acknowledged with why no promotion is woken', async () => {
    const raw = fixture('gitea-pull-request-closed.json');
    const res = await call(GITEA, raw, signed(raw, 'pull_request'));
    expect(res).toMatchObject({ status: 200, body: { refreshed: [], pullRequest: { url: 'http://localhost:3000/gitea/webhooks/pulls/7', message: expect.stringContaining('git-wait-for-pr polls') } } });
  });

  it('a malformed body is 400', async () => {
    const raw = fresh('{"ref": ');
    expect(await call(GITEA, raw, signed(raw))).toMatchObject({ status: 400, body: { error: { code: 'BadRequest', message: 'webhook receiver "gitea": the webhook body is not JSON' } } });
    const list = fresh('[1, 2]');
    expect(await call(GITEA, list, signed(list))).toMatchObject({ status: 400, body: { error: { message: 'webhook receiver "gitea": invalid request body: expected a JSON object' } } });
    expect(refreshed()).toEqual([]);
  });
});

describe('Bitbucket (X-Event-Key, X-Hub-Signature)', () => {
  const sign = (raw: string, event: string): Record<string, string> => ({ 'x-event-key': event, 'x-hub-signature': `sha256=${hmac('sha256', 'bb-secret', raw)}` });

  it("Cloud repo:push: the repository's html link, each pushed branch and tag", async () => {
    const raw = fixture('bitbucket-cloud-repo-push.json');
    expect(await call(BITBUCKET, raw, sign(raw, 'repo:push'))).toMatchObject({ status: 200, body: { refreshed: ['bb-main', 'bb-tags'] } });
  });

  it('Data Center repo:refs_changed: every clone link and each changed ref', async () => {
    const raw = fixture('bitbucket-server-refs-changed.json');
    expect(await call(BITBUCKET, raw, sign(raw, 'repo:refs_changed'))).toMatchObject({ status: 200, body: { refreshed: ['bb-server'] } });
  });

  it('a sha1 signature is accepted as go-github accepts it', async () => {
    const raw = fixture('bitbucket-server-refs-changed.json');
    const res = await call(BITBUCKET, raw, { 'x-event-key': 'repo:refs_changed', 'x-hub-signature': `sha1=${hmac('sha1', 'bb-secret', raw)}` });
    expect(res.body['refreshed']).toEqual(['bb-server']);
  });

  it('a bad signature is 401; an unsupported event 400; merged pull requests are acknowledged', async () => {
    const raw = fixture('bitbucket-cloud-repo-push.json');
    expect(await call(BITBUCKET, raw, { 'x-event-key': 'repo:push', 'x-hub-signature': 'sha256=00' })).toMatchObject({ status: 401, body: { error: { message: 'webhook receiver "bitbucket": X-Hub-Signature does not match the payload' } } });
    expect(await call(BITBUCKET, raw, { 'x-event-key': 'repo:push' })).toMatchObject({ status: 401, body: { error: { message: 'webhook receiver "bitbucket": missing X-Hub-Signature' } } });
    expect(await call(BITBUCKET, raw, { 'x-event-key': 'repo:commit_status_created' })).toMatchObject({ status: 400, body: { error: { message: 'webhook receiver "bitbucket": event type repo:commit_status_created is not supported' } } });
    const fork = fresh('{"fork": {}}');
    expect(await call(BITBUCKET, fork, sign(fork, 'repo:fork'))).toMatchObject({ status: 400, body: { error: { message: 'webhook receiver "bitbucket": event type repo:fork is not supported' } } });
    const merged = fresh('{"pullRequest": {"links": {"self": [{"href": "https://bitbucket.example.com/projects/PROJ/repos/repository/pull-requests/3"}]}}}');
    expect(await call(BITBUCKET, merged, sign(merged, 'pr:merged'))).toMatchObject({ status: 200, body: { refreshed: [], pullRequest: { url: 'https://bitbucket.example.com/projects/PROJ/repos/repository/pull-requests/3' } } });
    expect(refreshed()).toEqual([]);
  });
});

describe('Harbor (Authorization header)', () => {
  const raw = fixture('harbor-push-artifact.json');

  it('PUSH_ARTIFACT refreshes the image subscriptions whose constraint admits the pushed tag', async () => {
    expect(await call(HARBOR, raw, { authorization: 'Bearer harbor-token' })).toMatchObject({ status: 200, body: { refreshed: ['alpine'] } });
  });

  it('a wrong or missing Authorization is 401; another event type 400', async () => {
    expect(await call(HARBOR, raw, { authorization: 'Bearer nope' })).toMatchObject({ status: 401, body: { error: { message: 'webhook receiver "harbor": Authorization is wrong' } } });
    expect(await call(HARBOR, raw)).toMatchObject({ status: 401, body: { error: { message: 'webhook receiver "harbor": missing Authorization' } } });
    const pull = fresh(JSON.stringify({ ...JSON.parse(raw), type: 'PULL_ARTIFACT' }));
    expect(await call(HARBOR, pull, { authorization: 'Bearer harbor-token' })).toMatchObject({ status: 400, body: { error: { message: 'webhook receiver "harbor": unsupported event type' } } });
    expect(refreshed()).toEqual([]);
  });
});

describe('Artifactory (X-Jfrog-Event-Auth)', () => {
  const raw = fixture('artifactory-docker-pushed.json');
  const sign = (body: string): Record<string, string> => ({ 'x-jfrog-event-auth': hmac('sha256', 'jfrog-secret', body) });

  it("a docker push: jpd_origin's host, the repository key and the image path", async () => {
    expect(await call(JFROG, raw, sign(raw))).toMatchObject({ status: 200, body: { refreshed: ['jfrog'] } });
  });

  it('an oci push (a Helm chart) refreshes the chart subscription whose constraint admits the version', async () => {
    const body = JSON.parse(raw) as { data: Record<string, unknown> };
    const chart = JSON.stringify({ ...body, data: { ...body.data, image_type: 'oci', image_name: 'test-chart', path: 'charts/test-chart/1.2.0/manifest.json', tag: '1.2.0' } });
    expect(await call(JFROG, chart, sign(chart))).toMatchObject({ status: 200, body: { refreshed: ['jfrog-chart'] } });
    const tooNew = JSON.stringify({ ...body, data: { ...body.data, image_type: 'oci', image_name: 'test-chart', path: 'charts/test-chart/2.0.0/manifest.json', tag: '2.0.0' } });
    expect(await call(JFROG, tooNew, sign(tooNew))).toMatchObject({ status: 200, body: { refreshed: [] } });
  });

  it('virtualRepoName replaces the repository key', async () => {
    expect(await call(JFROG_VIRTUAL, raw, sign(raw))).toMatchObject({ status: 200, body: { refreshed: ['jfrog-virtual'] } });
  });

  it('a bad signature is 401; a non-push event 501; a bad path 400', async () => {
    expect(await call(JFROG, raw, { 'x-jfrog-event-auth': hmac('sha256', 'other', raw) })).toMatchObject({ status: 401, body: { error: { message: 'webhook receiver "jfrog": X-Jfrog-Event-Auth does not match the payload' } } });
    const deleted = fresh(JSON.stringify({ ...JSON.parse(raw), event_type: 'deleted' }));
    expect(await call(JFROG, deleted, sign(deleted))).toMatchObject({ status: 501, body: { error: { code: 'NotImplemented', message: "webhook receiver \"jfrog\": event type must be 'pushed' and domain must be 'docker'" } } });
    const body = JSON.parse(raw) as { data: Record<string, unknown> };
    const badPath = fresh(JSON.stringify({ ...body, data: { ...body.data, path: 'invalidpath' } }));
    expect(await call(JFROG, badPath, sign(badPath))).toMatchObject({ status: 400, body: { error: { message: 'webhook receiver "jfrog": invalid value "invalidpath" in payload\'s data.path field' } } });
    expect(refreshed()).toEqual([]);
  });
});

describe('Azure (Container Registry and Azure Repos, told apart by User-Agent)', () => {
  it('an ACR push refreshes the image; a ping is acknowledged', async () => {
    const push = fixture('acr-push.json');
    expect(await call(AZURE, push, { 'user-agent': 'AzureContainerRegistry/1.0' })).toMatchObject({ status: 200, body: { refreshed: ['acr'] } });
    expect(await call(AZURE, fixture('acr-ping.json'), { 'user-agent': 'AzureContainerRegistry/1.0' })).toMatchObject({ status: 200, body: { refreshed: [], ping: true } });
  });

  it('an Azure DevOps git.push refreshes the pushed branch', async () => {
    const push = fixture('azure-devops-git-push.json');
    expect(await call(AZURE, push, { 'user-agent': 'VSServices/16.255.35115.1' })).toMatchObject({ status: 200, body: { refreshed: ['ado'] } });
  });

  it('another sender, or an event Kargo does not handle, is 400', async () => {
    const push = fixture('acr-push.json');
    expect(await call(AZURE, push, { 'user-agent': 'curl/8.0' })).toMatchObject({ status: 400, body: { error: { message: 'webhook receiver "azure": request does not appear to have originated from a supported service' } } });
    const del = fresh(JSON.stringify({ ...JSON.parse(push), action: 'delete' }));
    expect(await call(AZURE, del, { 'user-agent': 'AzureContainerRegistry/1.0' })).toMatchObject({ status: 400, body: { error: { message: 'webhook receiver "azure": event type delete is not supported' } } });
    const build = fresh('{"eventType": "build.complete", "resource": {}}');
    expect(await call(AZURE, build, { 'user-agent': 'VSServices/16.255.35115.1' })).toMatchObject({ status: 400, body: { error: { message: 'webhook receiver "azure": event type build.complete is not supported' } } });
    expect(refreshed()).toEqual([]);
  });
});

describe('ClusterConfig receivers', () => {
  const config: ClusterConfig = {
    apiVersion: 'kargo.akuity.io/v1alpha1',
    kind: 'ClusterConfig',
    metadata: { name: 'cluster' },
    spec: { webhookReceivers: [{ name: 'org-gitea', gitea: { secretRef: { name: 'org-gitea' } } }] },
  };

  it('answer at Kargo\'s path (empty project), read their Secret in the system namespace and refresh every project', async () => {
    await api.close();
    backend.clusterConfig = config;
    backend.projects.set('projb', project('projb', []));
    api = await startApi({ backend, secrets });
    const raw = fixture('gitea-push.json');
    const headers = { 'x-gitea-event': 'push', 'x-hub-signature-256': `sha256=${hmac('sha256', 'org-secret', raw)}` };
    const res = await call(`/webhooks/gitea/${receiverToken('', 'org-gitea', 'org-secret')}`, raw, headers);
    expect(res).toMatchObject({ status: 200, body: { receiver: 'org-gitea', scope: 'cluster', refreshed: ['proja/gitea-develop', 'projb/gitea-develop'] } });
    // The project's own receiver secret does not sign for the cluster receiver.
    const forged = fresh(raw);
    const bad = await call(`/webhooks/gitea/${receiverToken('', 'org-gitea', 'org-secret')}`, forged, { 'x-gitea-event': 'push', 'x-hub-signature-256': `sha256=${hmac('sha256', 'gitea-secret', forged)}` });
    expect(bad.status).toBe(401);
  });

  it('a ClusterConfig applied through this api answers at once', async () => {
    const token = receiverToken('', 'org-gitea', 'org-secret');
    expect((await call(`/webhooks/gitea/${token}`, '{}', { 'x-gitea-event': 'push' })).status).toBe(404);
    backend.clusterConfig = config;
    // What the apply route does after a successful apply (the fake backend cannot apply a ClusterConfig).
    await noteApplied(backend, { results: [{ kind: 'ClusterConfig', name: 'cluster', action: 'created' }], hints: [], dryRun: false });
    const raw = fixture('gitea-push.json');
    const res = await call(`/webhooks/gitea/${token}`, raw, { 'x-gitea-event': 'push', 'x-hub-signature-256': `sha256=${hmac('sha256', 'org-secret', raw)}` });
    expect(res).toMatchObject({ status: 200, body: { scope: 'cluster', refreshed: ['proja/gitea-develop'] } });
  });

  it('a ClusterConfig receiver whose Secret is only in a project namespace has no path', async () => {
    await api.close();
    backend.clusterConfig = { ...config, spec: { webhookReceivers: [{ name: 'x', gitea: { secretRef: { name: 'gitea' } } }] } };
    api = await startApi({ backend, secrets });
    const raw = fixture('gitea-push.json');
    const headers = { 'x-gitea-event': 'push', 'x-hub-signature-256': `sha256=${hmac('sha256', 'gitea-secret', raw)}` };
    expect((await call(`/webhooks/gitea/${receiverToken('', 'x', 'gitea-secret')}`, raw, headers)).status).toBe(404);
  });

  it('are listed with their paths for an admin over the cluster only (the URL is the credential)', async () => {
    await api.close();
    backend.clusterConfig = { ...config, spec: { webhookReceivers: [...config.spec.webhookReceivers!, { name: 'missing', harbor: { secretRef: { name: 'org-gitea' } } }] } };
    api = await startApi({ backend, secrets, access: enforcedAccess(projectAuthConfig()) });
    const list = async (token: string): Promise<{ status: number; body: unknown }> => {
      const res = await fetch(`${api.url}/api/v1/cluster/webhook-receivers`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: await res.json() };
    };
    expect(await list(PROJECT_TOKENS.admin)).toEqual({
      status: 200,
      body: {
        items: [
          { name: 'org-gitea', provider: 'gitea', path: `/webhooks/gitea/${receiverToken('', 'org-gitea', 'org-secret')}` },
          { name: 'missing', provider: 'harbor', problem: 'Secret "org-gitea" in namespace "kargo-system-resources" has no "auth-header" key' },
        ],
      },
    });
    for (const token of [PROJECT_TOKENS.adminAB, PROJECT_TOKENS.viewerA]) expect((await list(token)).status).toBe(403);
  });
});
