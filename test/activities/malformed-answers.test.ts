/**
 * Issue 14: every answer Shunt reads over the network is parsed by a schema where it enters. For
 * each adapter family, an answer of the wrong type, with a field missing, or an HTML error page
 * instead of JSON gets an error naming the endpoint and the field (never a TypeError from deep
 * inside), and nothing is written after it.
 */
import { OciClient } from '../../activities/adapters/oci/client.js';
import { discoverCharts } from '../../activities/discovery/charts.js';
import { ArgoCDRestClient } from '../../activities/adapters/argocd-rest/client.js';
import { KubernetesArgoCDClient } from '../../activities/adapters/kubernetes/argocd-applications.js';
import { readAnalysisRunPhase } from '../../activities/adapters/kubernetes/analysis-run.js';
import { CredentialProviders, resolvingStore } from '../../activities/adapters/credential-providers/index.js';
import { FileCredentialStore } from '../../activities/adapters/credentials.js';
import { anApplication, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { serviceAccountKey } from '../support/cloud-token-servers.js';
import { Disposer, tempDir } from '../support/git-repos.js';
import { TestHttpServer, type Handler } from '../support/http-server.js';
import * as fs from 'node:fs';
import * as path from 'node:path';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const HTML = '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>';
const html = { status: 200, headers: { 'content-type': 'text/html' }, body: HTML };

async function serve(handler: Handler): Promise<TestHttpServer> {
  const server = new TestHttpServer();
  server.handler = handler;
  await server.start();
  disposer.add(() => server.stop());
  return server;
}

/** The error `p` rejects with (it must reject, and with an Error, not a TypeError). */
async function failure(p: Promise<unknown>): Promise<Error & { code?: string; kind?: string }> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  expect(err).not.toBeInstanceOf(TypeError);
  return err as Error & { code?: string; kind?: string };
}

describe('container registries (OCI distribution API)', () => {
  const registry = (server: TestHttpServer): OciClient => new OciClient(`${server.url.replace('http://', '')}/team/app`);

  it.each([
    ['tags of the wrong type', { body: { name: 'team/app', tags: 'v1' } }, /the tag list of 127\.0\.0\.1:\d+\/team\/app: the answer is not what its API documents \(tags: expected array, got string\)$/],
    ['a tag that is not a string', { body: { name: 'team/app', tags: ['v1', 2] } }, /\(tags\[1\]: expected string, got number\)$/],
    ['an HTML error page', html, /the tag list of 127\.0\.0\.1:\d+\/team\/app: the answer is not JSON \(an HTML page\)$/],
  ])('a tag list with %s is a BadResponse naming the registry and the field', async (_, reply, message) => {
    const server = await serve(() => reply);
    const err = await failure(registry(server).listTags());
    expect(err.kind).toBe('BadResponse');
    expect(err.message).toMatch(message);
  });

  it('a token service answering a token of the wrong type is a BadResponse naming it and the field', async () => {
    const server = await serve((req) =>
      req.url.startsWith('/token')
        ? { body: { token: 42 } }
        : { status: 401, headers: { 'www-authenticate': `Bearer realm="${server.url}/token",service="registry"` } },
    );
    const err = await failure(registry(server).listTags());
    expect(err.kind).toBe('BadResponse');
    expect(err.message).toMatch(/^registry 127\.0\.0\.1:\d+: the token service 127\.0\.0\.1:\d+: the answer is not what its API documents \(token: expected string, got number\)$/);
  });

  it('a manifest whose layers are not descriptors names the manifest and the field', async () => {
    const server = await serve(() => ({ headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: { schemaVersion: 2, layers: [{ size: 3 }] } }));
    const err = await failure(registry(server).getManifest('v1'));
    expect(err.kind).toBe('BadResponse');
    expect(err.message).toMatch(/^the manifest 127\.0\.0\.1:\d+\/team\/app:v1: the answer is not what its API documents \(layers\[0\]\.digest: required\)$/);
  });
});

describe('Helm chart repositories (index.yaml)', () => {
  it.each([
    ['no entries', 'apiVersion: v1\n', /index\.yaml: the answer is not what its API documents \(entries: required\)$/],
    ['entries that are a list', 'apiVersion: v1\nentries: [a, b]\n', /index\.yaml: the answer is not what its API documents \(entries: expected object, got array\)$/],
    ['a version missing', 'apiVersion: v1\nentries:\n  app:\n    - version: 1.0.0\n    - name: app\n', /index\.yaml, chart "app": the answer is not what its API documents \(\[1\]\.version: required\)$/],
  ])('an index with %s is a BadResponse naming the repository and the field', async (_, index, message) => {
    const server = await serve(() => ({ headers: { 'content-type': 'application/x-yaml' }, body: index }));
    const err = await failure(discoverCharts({ repoURL: `${server.url}/charts`, name: 'app' }, { credentials: undefined }));
    expect(err.kind).toBe('BadResponse');
    expect(err.message).toMatch(new RegExp(`^chart repository 127\\.0\\.0\\.1:\\d+: /charts/${message.source}`));
  });
});

describe('Argo CD REST API', () => {
  const client = (server: TestHttpServer): ArgoCDRestClient => new ArgoCDRestClient({ server: server.url, token: 'argocd-token-0123456789' });

  it.each([
    ['an HTML page', html, /the answer is not JSON \(an HTML page\)$/],
    ['no spec', { body: { metadata: { name: 'guestbook' } } }, /the answer is not what its API documents \(spec: required\)$/],
    ['a health of the wrong type', { body: { metadata: { name: 'guestbook' }, spec: {}, status: { health: 'Healthy' } } }, /\(status\.health: expected object, got string\)$/],
  ])('an Application answered as %s fails naming the server and the field, and nothing is written', async (_, reply, message) => {
    const server = await serve(() => reply);
    const err = await failure(client(server).syncApplication('argocd', 'guestbook', { operation: { sync: { revision: 'main' } } }));
    expect(err.code).toBe('StepFailed');
    expect(err.message).toMatch(/^reading Argo CD Application "guestbook" in namespace "argocd": the Argo CD API server http:\/\/127\.0\.0\.1:\d+: /);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('argocd-token-0123456789');
    expect(server.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('a list whose items are not Applications names the item and the field', async () => {
    const server = await serve(() => ({ body: { items: [{ metadata: { name: 'a' }, spec: {} }, { metadata: {}, spec: {} }] } }));
    const err = await failure(client(server).listApplications('argocd', 'team=a'));
    expect(err.message).toMatch(/^listing Argo CD Applications in namespace "argocd": the Argo CD API server .*: the answer is not what its API documents \(items\[1\]\.metadata\.name: required\)$/);
  });
});

describe('Argo CD through the Kubernetes API', () => {
  let cluster: FakeCluster;
  beforeEach(async () => {
    cluster = await startFakeCluster();
    disposer.add(() => cluster.stop());
  });

  it('an Application with a source of the wrong type fails naming the API server and the field, and is not written', async () => {
    const app = anApplication({ name: 'guestbook-dev' });
    cluster.server.apply({ ...app, spec: { ...(app['spec'] as object), source: { repoURL: 42 } } });
    const before = cluster.server.get('applications', 'argocd', 'guestbook-dev')!;
    const client = new KubernetesArgoCDClient(cluster.clients);
    const err = await failure(client.syncApplication('argocd', 'guestbook-dev', { operation: { sync: { revision: 'main' } } }));
    expect(err.code).toBe('StepFailed');
    expect(err.message).toMatch(
      /^reading Argo CD Application "guestbook-dev" in namespace "argocd": the Kubernetes API server http:\/\/127\.0\.0\.1:\d+: the answer is not what its API documents \(spec\.source\.repoURL: expected string, got number\)$/,
    );
    expect(cluster.server.get('applications', 'argocd', 'guestbook-dev')).toEqual(before);
    expect(cluster.argocd.operations).toHaveLength(0);
  });

  it('an AnalysisRun whose metric results are not a list fails naming the field', async () => {
    // The fake Rollouts controller would rewrite the status 20 ms later; on a busy machine the read came after.
    cluster.rollouts.stop();
    cluster.server.apply({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'odd', namespace: 'guestbook' },
      spec: { metrics: [] },
      status: { phase: 'Running', metricResults: { name: 'm' } },
    });
    const err = await failure(readAnalysisRunPhase(cluster.clients, 'guestbook', 'odd'));
    expect(err.code).toBe('StepFailed');
    expect(err.message).toMatch(/^reading AnalysisRun .*the answer is not what its API documents \(status\.metricResults: expected array, got object\)$/);
  });
});

describe('cloud registry token endpoints', () => {
  const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app';
  const GAR = 'us-docker.pkg.dev/proj/repo/app';
  const ACR = 'myreg.azurecr.io/team/app';

  async function creds(settings: Record<string, string>, data: Record<string, string>): Promise<ReturnType<typeof resolvingStore>> {
    const dir = await tempDir(disposer, 'shunt-malformed-');
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'reg', namespace: 'guestbook', labels: { 'kargo.akuity.io/cred-type': 'image' } }, stringData: data };
    await fs.promises.writeFile(path.join(dir, 'creds.yaml'), JSON.stringify(secret));
    return resolvingStore(new FileCredentialStore(dir).forProject('guestbook'), new CredentialProviders(settings));
  }

  it.each([
    ['no authorization data', { authorizationData: [] }, /\(authorizationData\[0\]: required\)$/],
    ['a token of the wrong type', { authorizationData: [{ authorizationToken: 7 }] }, /\(authorizationData\[0\]\.authorizationToken: expected string, got number\)$/],
    ['an HTML page', HTML, /the answer is not JSON \(an HTML page\)$/],
  ])('ECR answering %s fails the step naming the exchange and the field', async (_, body, message) => {
    const server = await serve(() => ({ body }));
    const store = await creds({ ecrEndpoint: server.url }, { repoURL: ECR, awsRegion: 'us-east-1', awsAccessKeyID: 'AKIAIOSFODNN7EXAMPLE', awsSecretAccessKey: 'secret-key-0123456789' });
    const err = await failure(store.image(ECR));
    expect(err.code).toBe('StepFailed');
    expect(err.message).toMatch(/^ECR authorization token \(us-east-1\): /);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('secret-key-0123456789');
  });

  it('Google answering without an access_token fails the step naming the field', async () => {
    const server = await serve(() => ({ body: { token_type: 'Bearer', expires_in: 3599 } }));
    const store = await creds({ gcpTokenURL: `${server.url}/token` }, { repoURL: GAR, gcpServiceAccountKey: serviceAccountKey().json });
    const err = await failure(store.image(GAR));
    expect(err.code).toBe('StepFailed');
    expect(err.message).toMatch(/^Google access token for puller@proj\.iam\.gserviceaccount\.com: the answer is not what its API documents \(access_token: required\)$/);
  });

  it('Microsoft Entra answering an empty access_token fails the step before the ACR exchange', async () => {
    const server = await serve(() => ({ body: { token_type: 'Bearer', access_token: '' } }));
    const store = await creds(
      { azureAuthorityURL: server.url, acrEndpoint: server.url },
      { repoURL: ACR, azureTenantID: 'contoso.onmicrosoft.com', azureClientID: '00000000-0000-0000-0000-000000000001', azureClientSecret: 'client-secret-0123456789' },
    );
    const err = await failure(store.image(ACR));
    expect(err.code).toBe('StepFailed');
    expect(err.message).toMatch(/^Microsoft Entra token for 00000000-0000-0000-0000-000000000001: the answer is not what its API documents \(access_token: must not be empty\)$/);
    expect(server.requests).toHaveLength(1);
  });
});
