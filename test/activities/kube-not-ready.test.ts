/**
 * A kube-apiserver that has just (re)started serves requests before its RBAC caches are filled
 * and answers 403 to them, /readyz included (kubernetes/kubernetes#101422; seen against the real
 * server in test/realkube: argocd-update Errored after a restart). Such a refusal is not final:
 * it is Unavailable (retried), while a ready server's 403 and any 401 stay FailedPrecondition.
 * The API server here is a loopback HTTP server answering as the real one does in that window.
 */
import { KubernetesArgoCDClient } from '../../activities/adapters/kubernetes/argocd-applications.js';
import { createAnalysisRun } from '../../activities/adapters/kubernetes/analysis-run.js';
import { createKubeClients, type KubeClients } from '../../activities/adapters/kubernetes/client.js';
import { KubernetesCredentialStore } from '../../activities/adapters/kubernetes/credential-store.js';
import { argocdUpdate } from '../../activities/steps/argocd-update.js';
import { Disposer } from '../support/git-repos.js';
import { TestHttpServer } from '../support/http-server.js';
import { createHarness } from './harness.js';

const disposer = new Disposer();
const api = new TestHttpServer();
let ready: boolean;
let refusal: 401 | 403;
let clients: KubeClients;

const forbidden = (what: string): object => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: `${what} is forbidden: User "system:serviceaccount:shunt:shunt" cannot get resource`,
  reason: 'Forbidden',
  code: 403,
});

beforeAll(async () => {
  await api.start();
  clients = createKubeClients({ mode: 'explicit', server: api.url, token: 'sa-token' });
});
afterAll(() => api.stop());
afterEach(() => disposer.dispose());
beforeEach(() => {
  ready = false;
  refusal = 403;
  api.requests.length = 0;
  api.handler = (req) => {
    if (refusal === 401) return { status: 401, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 } };
    if (req.url.startsWith('/readyz')) return ready ? { status: 200, body: 'ok' } : { status: 403, body: forbidden('/readyz') };
    return { status: 403, body: forbidden(req.url) };
  };
});

const readyzAsked = (): number => api.requests.filter((r) => r.url.startsWith('/readyz')).length;

describe('a 403 from an API server that is not ready yet', () => {
  it('is Unavailable (retried) while /readyz is not OK, and FailedPrecondition naming the Role once it is', async () => {
    const argocd = new KubernetesArgoCDClient(clients);
    await expect(argocd.getApplication('argocd', 'web')).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringMatching(/^reading Argo CD Application "web" in namespace "argocd": .* is forbidden: .*\(HTTP 403 Forbidden\) while the Kubernetes API server http:\/\/127\.0\.0\.1:\d+ is not ready \(starting up\?\): not final, trying again$/),
    });
    ready = true;
    await expect(argocd.getApplication('argocd', 'web')).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: expect.stringContaining('(HTTP 403 Forbidden) (the service account lacks permission: check its Role)'),
    });
  });

  it('leaves argocd-update Running (trying again), not Errored', async () => {
    const h = await createHarness(disposer);
    const result = await h.run(argocdUpdate, { apps: [{ name: 'web' }] }, { argocd: new KubernetesArgoCDClient(clients), argocdWaitMs: 200 });
    expect(result).toMatchObject({ status: 'Running', message: expect.stringContaining('is not ready (starting up?): not final, trying again; trying again') });
    ready = true;
    await expect(h.run(argocdUpdate, { apps: [{ name: 'web' }] }, { argocd: new KubernetesArgoCDClient(clients), argocdWaitMs: 200 })).rejects.toMatchObject({
      code: 'FailedPrecondition',
    });
  });

  it('is not taken for "no Role in the shared namespace": the lookup fails Unavailable and warns nothing', async () => {
    const warnings: string[] = [];
    const shared = new KubernetesCredentialStore(clients, 'kargo-shared-resources', { genericSecrets: false, shared: true, warn: (m) => warnings.push(m) });
    await expect(shared.git('https://git.example.test/app.git')).rejects.toMatchObject({ code: 'Unavailable' });
    await expect(shared.sharedSecret('tokens')).rejects.toMatchObject({ code: 'Unavailable' });
    expect(warnings).toEqual([]);
    ready = true;
    await expect(shared.git('https://git.example.test/app.git')).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
  });

  it('is Unavailable when creating an AnalysisRun too', async () => {
    const req = { namespace: 'demo', name: 'dev.run.1', templates: [{ metadata: { name: 't' }, spec: { metrics: [{ name: 'm', provider: { web: { url: api.url } } }] } }], args: [] };
    await expect(createAnalysisRun(clients, req)).rejects.toMatchObject({ code: 'Unavailable' });
  });
});

describe('a 401 (credentials refused)', () => {
  it('stays final without asking /readyz (a wrong token is refused there too)', async () => {
    refusal = 401;
    await expect(new KubernetesArgoCDClient(clients).getApplication('argocd', 'web')).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: expect.stringContaining('(the Kubernetes credentials were refused: check the token or service account)'),
    });
    expect(readyzAsked()).toBe(0);
  });
});
