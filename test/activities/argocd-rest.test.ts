/**
 * argocd-update and argocd-wait through Argo CD's REST API (a Shunt outside the cluster),
 * against a fake Argo CD API server in front of the fake cluster's Argo CD-like controller.
 */
import { ArgoCDRestClient } from '../../activities/adapters/argocd-rest/client.js';
import { argocdUpdate } from '../../activities/steps/argocd-update.js';
import { argocdWait } from '../../activities/steps/argocd-wait.js';
import type { StepContext } from '../../activities/steps/step.js';
import { FakeArgoCDApi } from '../support/fake-kube/argocd-api.js';
import { anApplication, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { Disposer } from '../support/git-repos.js';
import { createHarness, PROMOTION, type Harness } from './harness.js';

const disposer = new Disposer();
const TOKEN = 'argocd-token-abcdef';
const REPO = 'https://github.com/example/gitops.git';
const REV = '89abcdef0123456789abcdef0123456789abcdef';
let cluster: FakeCluster;
let api: FakeArgoCDApi;
let h: Harness;
let client: ArgoCDRestClient;

const ctx = (extra: Partial<StepContext> = {}): Partial<StepContext> => ({ argocd: client, argocdWaitMs: 30_000, ...extra });

beforeEach(async () => {
  cluster = await startFakeCluster();
  api = await new FakeArgoCDApi(cluster.server, TOKEN).start();
  client = new ArgoCDRestClient({ server: api.url, token: TOKEN });
  h = await createHarness(disposer);
});

afterEach(async () => {
  await api.stop();
  await cluster.stop();
  await disposer.dispose();
});

describe('Argo CD through its REST API', () => {
  it('argocd-update updates the source, syncs through /sync and follows the stream until Healthy', async () => {
    cluster.server.apply(anApplication({ name: 'guestbook-dev' }));
    const result = await h.run(
      argocdUpdate,
      { apps: [{ name: 'guestbook-dev', sources: [{ repoURL: REPO, desiredRevision: REV, updateTargetRevision: true }] }] },
      ctx(),
    );
    expect(result.status).toBe('Succeeded');
    const app = cluster.server.get('applications', 'argocd', 'guestbook-dev')!;
    expect((app['spec'] as { source: { targetRevision: string } }).source.targetRevision).toBe(REV);
    expect(cluster.argocd.operations).toHaveLength(1);
    expect(cluster.argocd.operations[0]!.operation).toMatchObject({
      initiatedBy: { username: 'admin' },
      info: expect.arrayContaining([{ name: 'kargo.akuity.io/promotion', value: PROMOTION }]),
      sync: { revision: REV },
    });
    const paths = api.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths).toContain('POST /api/v1/applications/guestbook-dev/sync');
    expect(paths).toContain('GET /api/v1/stream/applications');
    expect(api.requests.find((r) => r.path === '/api/v1/applications/guestbook-dev' && r.query['refresh'] === 'hard')).toBeDefined();
  });

  it('argocd-update fails with Argo CD’s message on a failed operation', async () => {
    cluster.server.apply(anApplication({ name: 'guestbook-dev' }));
    cluster.argocd.behave('argocd', 'guestbook-dev', { fail: 'ComparisonError: rpc error: manifest generation failed' });
    await expect(h.run(argocdUpdate, { apps: [{ name: 'guestbook-dev' }] }, ctx())).rejects.toMatchObject({
      code: 'StepFailed',
      message: expect.stringContaining('sync operation Failed: ComparisonError: rpc error: manifest generation failed'),
    });
  });

  it('argocd-update refuses an unauthorized Application without calling /sync', async () => {
    cluster.server.apply(anApplication({ name: 'guestbook-dev', authorizedStage: 'guestbook:prod' }));
    await expect(h.run(argocdUpdate, { apps: [{ name: 'guestbook-dev' }] }, ctx())).rejects.toMatchObject({ code: 'StepFailed' });
    expect(api.requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('argocd-wait follows the stream until Synced and Healthy', async () => {
    cluster.server.apply(anApplication({ name: 'web' }));
    const app = cluster.server.get('applications', 'argocd', 'web')!;
    app['operation'] = { initiatedBy: { username: 'auto' }, sync: { revision: REV } };
    cluster.server.store.write('applications', 'argocd', app);
    await expect(h.run(argocdWait, { apps: [{ name: 'web', revision: REV }] }, ctx())).resolves.toMatchObject({ status: 'Succeeded' });
  });

  it('argocd-update selects Applications by matchExpressions through the selector parameter', async () => {
    cluster.server.apply(anApplication({ name: 'a', labels: { tier: 'front' } }));
    cluster.server.apply(anApplication({ name: 'b', labels: { tier: 'back' } }));
    cluster.server.apply(anApplication({ name: 'c' }));
    const result = await h.run(argocdUpdate, { apps: [{ selector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['back'] }] } }] }, ctx());
    expect(result.output).toEqual({ apps: [{ name: 'a', namespace: 'argocd' }, { name: 'c', namespace: 'argocd' }] });
  });

  it('a refused token: FailedPrecondition saying so', async () => {
    const wrong = new ArgoCDRestClient({ server: api.url, token: 'nope' });
    await expect(h.run(argocdUpdate, { apps: [{ name: 'x' }] }, ctx({ argocd: wrong }))).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: expect.stringContaining('no session information (HTTP 401) (the Argo CD token was refused: check ARGOCD_AUTH_TOKEN)'),
    });
  });

  it('an unreachable Argo CD: the step runs again (Running), naming the server', async () => {
    const url = api.url;
    await api.stop();
    const gone = new ArgoCDRestClient({ server: url, token: TOKEN });
    await expect(h.run(argocdUpdate, { apps: [{ name: 'x' }] }, ctx({ argocd: gone }))).resolves.toMatchObject({
      status: 'Running',
      message: expect.stringContaining(`the Argo CD API server ${url} cannot be reached (ECONNREFUSED); trying again`),
    });
    api = await new FakeArgoCDApi(cluster.server, TOKEN).start();
  });

  it('a bad ARGOCD_SERVER: BadRequest', () => {
    expect(() => new ArgoCDRestClient({ server: 'http://exa mple', token: TOKEN })).toThrow('ARGOCD_SERVER "http://exa mple" is not a URL or host');
  });
});
