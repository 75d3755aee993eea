/**
 * Shunt's Kubernetes promises against a real kube-apiserver (TLS, RBAC, etcd) with the real CRDs
 * (Argo CD's Application, Argo Rollouts' AnalysisRun and AnalysisTemplate), the worker connected
 * with a service-account token bound to exactly the Role README documents:
 * - credentials from Secrets in the project's namespace and the shared one; a shared namespace
 *   that is missing or has no Role for Shunt means "no shared credential", never a failure (a
 *   promotion cloning a public repository succeeds), while a project namespace without the Role
 *   is an error saying so;
 * - AnalysisRun verification: the run is created in the project's namespace, run (by a loop using
 *   Shunt's own measurements: Argo Rollouts' controller is not built here), and the verification
 *   history shows its metrics' real phases and counts; a project without a namespace gets an
 *   error naming it;
 * - argocd-update on a multi-source Application writes one revision per source, which the API
 *   server keeps as written; a wait on an Application survives a kube-apiserver restart.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { analysisRunActivities } from '../../activities/analysis-runs.js';
import { KubernetesArgoCDClient } from '../../activities/adapters/kubernetes/argocd-applications.js';
import { createKubeClients, type KubeClients } from '../../activities/adapters/kubernetes/client.js';
import { KubernetesCredentialStore } from '../../activities/adapters/kubernetes/credential-store.js';
import { servesAnalysisRuns } from '../../activities/adapters/kubernetes/rollouts-discovery.js';
import { argocdUpdate } from '../../activities/steps/argocd-update.js';
import { TERMINAL_PHASES } from '../../core/promotion/types.js';
import type { PromotionRecord, VerificationRecord } from '../../core/project/state.js';
import { createHarness } from '../activities/harness.js';
import { Disposer, tempDir } from '../support/git-repos.js';
import { GitHttpServer } from '../support/git-server.js';
import { TestHttpServer } from '../support/http-server.js';
import { aFreight, aProject, aWarehouse, WAREHOUSE, yamlOf } from '../support/manifests.js';
import { eventually } from '../support/poll.js';
import { AnalysisController } from '../support/real-kube/analysis-controller.js';
import { RealKube } from '../support/real-kube/cluster.js';
import { makeGitOpsRepos } from '../support/real-kube/gitops-repo.js';
import { grantShunt } from '../support/real-kube/shunt-access.js';
import { startShuntStack, type ShuntStack } from '../support/shunt-stack.js';

type Json = Record<string, unknown>;
const PROJECT = 'demo';
const REPO = 'https://git.example.test/team/app.git';
const PASSWORD = `s3cr3t-${randomBytes(8).toString('hex')}`;

const disposer = new Disposer();
let kube: RealKube;
let shunt: KubeClients;
let admin: KubeClients;
let work: string;

const secret = (namespace: string, name: string, password: string): Json => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace, labels: { 'kargo.akuity.io/cred-type': 'git' } },
  stringData: { repoURL: REPO, username: 'bot', password },
});

function application(name: string, spec: Json): Json {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd', annotations: { 'kargo.akuity.io/authorized-stage': `${PROJECT}:${name}` } },
    spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: name }, ...spec },
  };
}

async function getApp(name: string): Promise<Json> {
  return JSON.parse(await kube.kubectl(['get', 'applications.argoproj.io', name, '-n', 'argocd', '-o', 'json'])) as Json;
}

beforeAll(async () => {
  work = await tempDir(disposer, 'shunt-realkube-cluster-');
  kube = new RealKube({ dir: join(work, 'cluster') });
  disposer.add(() => kube.stop());
  await kube.start();
  const { crds } = kube.tools;
  await kube.installCRDs([crds.application, crds.analysisRun, crds.analysisTemplate]);
  await kube.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } }]);
  const kubeconfig = await grantShunt(kube, { projects: [PROJECT], shared: true, argocd: true });
  shunt = createKubeClients({ mode: 'kubeconfig', path: kubeconfig });
  admin = createKubeClients({ mode: 'kubeconfig', path: kube.adminKubeconfig });
  // A namespace like the shared one, but without Shunt's Role in it.
  await kube.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shared-without-role' } }]);
}, 300_000);

afterAll(() => disposer.dispose(), 60_000);

describe('credentials from Kubernetes Secrets, with the documented Role', () => {
  it('finds a credential in the project namespace, and one in the shared namespace', async () => {
    await kube.apply([secret(PROJECT, 'project-cred', PASSWORD), secret('kargo-shared-resources', 'shared-cred', 'shared-password')]);
    const project = new KubernetesCredentialStore(shunt, PROJECT);
    const shared = new KubernetesCredentialStore(shunt, 'kargo-shared-resources', { genericSecrets: false, shared: true });
    expect(await project.git(REPO)).toMatchObject({ username: 'bot', password: PASSWORD });
    expect(await shared.git(REPO)).toMatchObject({ username: 'bot', password: 'shared-password' });
    expect(await project.git('https://git.example.test/other.git')).toBeUndefined();
  });

  it('treats a shared namespace it may not read (no Role there, or missing) as having no credentials, saying so once', async () => {
    for (const namespace of ['shared-without-role', 'no-such-namespace']) {
      const warnings: string[] = [];
      const shared = new KubernetesCredentialStore(shunt, namespace, { genericSecrets: false, shared: true, warn: (m) => warnings.push(m) });
      expect(await shared.git(REPO)).toBeUndefined();
      expect(await shared.image('ghcr.io/example/app')).toBeUndefined();
      expect(await shared.sharedSecret('anything')).toEqual({});
      expect(await shared.sharedConfigMap('anything')).toEqual({});
      expect(warnings).toEqual([`shunt: the shared credentials namespace "${namespace}" is not readable by this worker (no Role there): no shared credentials or shared Secrets / ConfigMaps are used from it`]);
    }
  });

  it('still fails, naming the Role, when the project namespace cannot be read', async () => {
    const project = new KubernetesCredentialStore(shunt, 'shared-without-role');
    await expect(project.git(REPO)).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: expect.stringContaining('(the service account lacks permission: check its Role)'),
    });
  });
});

describe('a promotion and its AnalysisRun verification through the worker, with no shared namespace', () => {
  let stack: ShuntStack;
  let promotion: PromotionRecord;
  let verification: VerificationRecord;
  let controller: AnalysisController;
  const metrics = new TestHttpServer();

  beforeAll(async () => {
    const repos = await makeGitOpsRepos(join(work, 'git'));
    const git = new GitHttpServer({ root: join(work, 'git') });
    await git.start();
    disposer.add(() => git.stop());
    await metrics.start();
    disposer.add(() => metrics.stop());
    metrics.handler = () => ({ status: 200, body: { ok: true } });
    controller = new AnalysisController(kube.adminKubeconfig).start();
    disposer.add(() => controller.stop());
    expect(repos.apps).toContain('apps.git');
    stack = await startShuntStack({
      namespace: 'realkube-cluster',
      credentialsPath: join(work, 'no-credentials-here'),
      // The cluster has no namespace of this name (and Shunt no Role there).
      cluster: { kubernetes: { mode: 'kubeconfig', path: join(kube.dir, 'shunt.kubeconfig') }, sharedNamespace: 'kargo-shared-missing' },
    });
    disposer.add(() => stack.stop());
    await stack.backend.apply(
      [
        {
          name: 'demo.yaml',
          content: `${yamlOf(aProject(PROJECT), aWarehouse(WAREHOUSE, { project: PROJECT }))}---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: health, namespace: ${PROJECT}}
spec:
  args: [{name: path}]
  metrics:
    - name: healthy
      count: 2
      interval: 1s
      successCondition: result == true
      provider:
        web: {url: "${metrics.url}{{args.path}}", jsonPath: "{$.ok}"}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: dev, namespace: ${PROJECT}}
spec:
  requestedFreight: [{origin: {kind: Warehouse, name: app}, sources: {direct: true}}]
  promotionTemplate:
    spec:
      steps:
        - uses: git-clone
          config: {repoURL: "${git.url('apps')}", checkout: [{branch: main, path: ./repo}]}
        - uses: kustomize-set-image
          config: {path: ./repo/env/dev, images: [{image: ghcr.io/example/app, tag: "1.2.3"}]}
        - uses: git-commit
          config: {path: ./repo, message: "promote 1.2.3"}
        - uses: git-push
          config: {path: ./repo}
  verification:
    analysisTemplates: [{name: health}]
    args: [{name: path, value: /healthz}]
---
${yamlOf(aFreight({ project: PROJECT, tag: '1.2.3', alias: 'one', digest: null }))}`,
        },
      ],
      { dryRun: false },
    );
    const started = await stack.backend.promote(PROJECT, { stage: 'dev', freight: 'one' });
    promotion = await eventually(
      async () => {
        const p = await stack.backend.getPromotion(PROJECT, started.name);
        return TERMINAL_PHASES.includes(p.phase) ? p : undefined;
      },
      'the promotion to finish',
      180_000,
    );
    verification = await eventually(async () => {
      const s = (await stack.backend.getProject(PROJECT)).stages['dev'];
      return s?.currentVerification ? undefined : s?.freightHistory[0]?.verificationHistory?.[0];
    }, 'the verification to finish', 180_000);
  }, 400_000);

  it('clones a repository that needs no credential although the shared namespace is missing', () => {
    expect({ phase: promotion.phase, message: promotion.message ?? '' }).toEqual({ phase: 'Succeeded', message: '' });
  });

  it('verifies with an AnalysisRun in the project namespace, and the history shows its metrics’ real counts', async () => {
    expect(verification).toMatchObject({ phase: 'Successful' });
    expect(controller.finished).toContain(`${PROJECT}/${verification.id}`);
    expect(verification.metrics).toEqual([
      expect.objectContaining({ name: 'healthy', phase: 'Successful', count: 2, successful: 2, failed: 0, error: 0 }),
    ]);
    expect(verification.metrics![0]!.measurements.map((m) => [m.phase, m.value])).toEqual([
      ['Successful', 'true'],
      ['Successful', 'true'],
    ]);
    const run = JSON.parse(await kube.kubectl(['get', 'analysisruns.argoproj.io', verification.id, '-n', PROJECT, '-o', 'json'])) as Json;
    expect(run['spec']).toMatchObject({ args: [{ name: 'path', value: '/healthz' }], metrics: [{ name: 'healthy' }] });
    expect(metrics.requests.map((r) => r.url)).toEqual(['/healthz', '/healthz']);
  });

  it('finds Argo Rollouts (the AnalysisRun CRD) through API discovery, with the documented Role', async () => {
    expect(await servesAnalysisRuns(shunt)).toBe(true);
  });

  it('says which namespace is missing when a project has none', async () => {
    const req = { namespace: 'ghost', name: 'dev.run.1', templates: [{ metadata: { name: 't' }, spec: { metrics: [{ name: 'm', provider: { web: { url: metrics.url } } }] } }], args: [] };
    // With a Role only in existing project namespaces, the API server answers 403 first.
    await expect(analysisRunActivities(shunt).createAnalysisRun(req)).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: expect.stringContaining('in namespace "ghost"'),
    });
    // With permission everywhere, the API server answers 404 for the namespace.
    await expect(analysisRunActivities(admin).createAnalysisRun(req)).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: expect.stringContaining('the namespace "ghost" does not exist'),
    });
  });
});

describe('Argo CD Applications through the real API server (no Argo CD controller needed)', () => {
  it('writes a multi-source sync with one revision per source, kept by the API server as written', async () => {
    const rev = 'a'.repeat(40);
    const sources = [
      { repoURL: 'https://git.example.test/apps.git', path: 'env/dev', targetRevision: 'main' },
      { repoURL: 'https://git.example.test/config.git', path: 'settings', targetRevision: 'v2' },
    ];
    await kube.apply([application('multi', { sources })]);
    const h = await createHarness(disposer);
    const result = await h.run(
      argocdUpdate,
      { apps: [{ name: 'multi', sources: [{ repoURL: sources[0]!.repoURL, desiredRevision: rev }] }] },
      { project: PROJECT, stage: 'multi', argocd: new KubernetesArgoCDClient(shunt), argocdWaitMs: 500 },
    );
    expect(result.status).toBe('Running');
    const app = await getApp('multi');
    expect((app['operation'] as Json)['sync']).toEqual({ revisions: [rev, 'v2'] });
    expect((app['spec'] as Json)['sources']).toEqual(sources);
  });

  it('keeps waiting on an Application across a kube-apiserver restart, and sees the change made after it', async () => {
    await kube.apply([application('restart', { source: { repoURL: 'https://git.example.test/apps.git', path: 'env/dev', targetRevision: 'main' } })]);
    const client = new KubernetesArgoCDClient(shunt);
    const waited = client.waitForApplication('argocd', 'restart', (app) => (app?.status?.sync?.status === 'Synced' ? 'synced' : undefined), {
      withinMs: 120_000,
      signal: new AbortController().signal,
      heartbeat: () => undefined,
    });
    // Down long enough for the watch to end and re-lists to be refused; back with a fresh watch
    // cache, where the old resourceVersion is 410 Expired.
    await new Promise((r) => setTimeout(r, 500));
    await kube.restartApiserver(4_000);
    await kube.kubectl(['patch', 'applications.argoproj.io', 'restart', '-n', 'argocd', '--type=merge', '-p', JSON.stringify({ status: { sync: { status: 'Synced' } } })]);
    await expect(waited).resolves.toBe('synced');
  }, 180_000);
});
