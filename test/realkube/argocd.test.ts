/**
 * Shunt's Argo CD promises against the real thing: etcd, kube-apiserver (TLS, RBAC), the
 * controller-manager, the scheduler, KWOK (a fake node: pods run, Deployments become available),
 * and Argo CD v3's application controller and repo-server syncing a kustomize app from a GitOps
 * repository served over smart HTTP with basic auth. Shunt's worker connects with a real
 * service-account token bound to exactly the Role README documents (docs/kubernetes/shunt-rbac.yaml).
 *
 * Shown here: a promotion that pushes and syncs the pushed commit (Synced and Healthy by Argo CD's
 * own health assessment); a multi-source Application (a full positional revisions list, nothing
 * the API server drops); selectors; the authorized-stage check; waiting for someone else's
 * operation; a failed sync; a Degraded app; a kube-apiserver restart in the middle of a step.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createAnalysisRun } from '../../activities/adapters/kubernetes/analysis-run.js';
import { createKubeClients } from '../../activities/adapters/kubernetes/client.js';
import { servesAnalysisRuns } from '../../activities/adapters/kubernetes/rollouts-discovery.js';
import type { PromotionRecord } from '../../core/project/state.js';
import { TERMINAL_PHASES } from '../../core/promotion/types.js';
import { Disposer, hermeticEnv, tempDir } from '../support/git-repos.js';
import { GitHttpServer } from '../support/git-server.js';
import { aFreight, aProject, aWarehouse, WAREHOUSE, yamlOf } from '../support/manifests.js';
import { eventually } from '../support/poll.js';
import { ARGOCD_NAMESPACE, RealArgoCD } from '../support/real-kube/argocd.js';
import { RealKube } from '../support/real-kube/cluster.js';
import { makeGitOpsRepos } from '../support/real-kube/gitops-repo.js';
import { grantShunt } from '../support/real-kube/shunt-access.js';
import { startShuntStack, type ShuntStack } from '../support/shunt-stack.js';

const run = promisify(execFile);
const PROJECT = 'demo';
const USERNAME = 'promoter';
const PASSWORD = `kube-s3cr3t-${randomBytes(12).toString('hex')}`;
const IMAGE = 'ghcr.io/example/app';

const disposer = new Disposer();
let kube: RealKube;
let argocd: RealArgoCD;
let stack: ShuntStack;
let gitServer: GitHttpServer;
let appsURL: string;
let configURL: string;
let appsGitDir: string;
let configGitDir: string;
let shuntKubeconfig: string;

type Json = Record<string, unknown>;

async function gitIn(gitDir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', ['--git-dir', gitDir, ...args], { env: hermeticEnv() });
  return stdout.trim();
}

async function getApp(name: string): Promise<Json> {
  return JSON.parse(await kube.kubectl(['get', 'applications.argoproj.io', name, '-n', ARGOCD_NAMESPACE, '-o', 'json'])) as Json;
}

function application(name: string, opts: { stage?: string; path?: string; labels?: Record<string, string>; multi?: boolean }): Json {
  const source = { repoURL: appsURL, path: `env/${opts.path ?? name}`, targetRevision: 'main' };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: `demo-${name}`,
      namespace: ARGOCD_NAMESPACE,
      annotations: { 'kargo.akuity.io/authorized-stage': `${PROJECT}:${opts.stage ?? name}` },
      ...(opts.labels ? { labels: opts.labels } : {}),
    },
    spec: {
      project: 'default',
      ...(opts.multi ? { sources: [source, { repoURL: configURL, path: 'settings', targetRevision: 'main' }] } : { source }),
      destination: { server: 'https://kubernetes.default.svc', namespace: `app-${name}` },
      syncPolicy: { syncOptions: ['CreateNamespace=true'] },
    },
  };
}

/** The steps after git-clone … git-push, or just the Argo CD steps (`git: false`). */
function stage(name: string, argocdSteps: string, opts: { git?: string[]; timeout?: string } = {}): string {
  const setImage = (env: string): string => `        - uses: kustomize-set-image
          as: update-${env}
          config:
            path: ./repo/env/${env}
            images:
              - image: ${IMAGE}
                tag: \${{ imageFrom('${IMAGE}').Tag }}
`;
  const gitSteps = opts.git
    ? `        - uses: git-clone
          config:
            repoURL: ${appsURL}
            checkout:
              - branch: main
                path: ./repo
${opts.git.map(setImage).join('')}        - uses: git-commit
          config:
            path: ./repo
            message: promote \${{ imageFrom('${IMAGE}').Tag }} to ${name}
        - uses: git-push
          as: push
          config:
            path: ./repo
`
    : '';
  return `apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata:
  name: ${name}
  namespace: ${PROJECT}
spec:
  requestedFreight:
    - origin:
        kind: Warehouse
        name: app
      sources:
        direct: true
  promotionTemplate:
    spec:
      steps:
${gitSteps}        - uses: argocd-update
          as: sync${opts.timeout ? `\n          retry:\n            timeout: ${opts.timeout}` : ''}
          config:
${argocdSteps}`;
}

const byName = (app: string, sources = ''): string => `            apps:
              - name: ${app}
${sources}`;
const pushedSource = (url: () => string): string => `                sources:
                  - repoURL: ${url()}
                    desiredRevision: \${{ outputs.push.commit }}
`;

function stages(): string {
  return [
    stage('dev', byName('demo-dev', pushedSource(() => appsURL)), { git: ['dev'] }) +
      `        - uses: argocd-wait
          config:
            apps:
              - name: demo-dev
                revision: \${{ outputs.push.commit }}
`,
    stage('multi', byName('demo-multi', pushedSource(() => appsURL)), { git: ['multi'] }),
    stage(
      'selector',
      `            apps:
              - selector:
                  matchLabels:
                    tier: selected
${pushedSource(() => appsURL)}`,
      { git: ['sel-a', 'sel-b'] },
    ) +
      `        - uses: argocd-wait
          config:
            apps:
              - selector:
                  matchExpressions:
                    - {key: tier, operator: In, values: [selected, chosen]}
                    - {key: legacy, operator: DoesNotExist}
                revision: \${{ outputs.push.commit }}
`,
    stage('refused', byName('demo-refused')),
    stage('broken', byName('demo-broken')),
    stage('degraded', byName('demo-degraded')),
    stage('busy', byName('demo-busy')),
    stage('restart', byName('demo-restart', pushedSource(() => appsURL)), { git: ['restart'] }),
  ].join('---\n');
}

const PROJECT_AND_WAREHOUSE = yamlOf(aProject(PROJECT), aWarehouse(WAREHOUSE, { project: PROJECT, image: IMAGE }));

function freight(tag: string): string {
  return yamlOf(aFreight({ project: PROJECT, tag, image: IMAGE }));
}

async function startPromotion(stageName: string, tag: string): Promise<string> {
  await stack.backend.apply([{ name: `freight-${tag}.yaml`, content: freight(tag) }], { dryRun: false });
  const state = await stack.backend.getProject(PROJECT);
  const found = Object.values(state.freight).find((f) => f.images[0]?.tag === tag);
  if (!found) throw new Error(`no freight with image tag ${tag}`);
  return (await stack.backend.promote(PROJECT, { stage: stageName, freight: found.name })).name;
}

async function finished(name: string, timeoutMs = 240_000): Promise<PromotionRecord> {
  return eventually(
    async () => {
      const p = await stack.backend.getPromotion(PROJECT, name);
      return TERMINAL_PHASES.includes(p.phase) ? p : undefined;
    },
    () => `promotion ${name} to finish\n${argocd.logs()}`,
    timeoutMs,
  );
}

const outcome = (p: PromotionRecord): { phase: string; message: string } => ({ phase: p.phase, message: p.message ?? '' });

beforeAll(async () => {
  const work = await tempDir(disposer, 'shunt-realkube-argocd-');
  const repos = await makeGitOpsRepos(work);
  appsGitDir = repos.apps;
  configGitDir = repos.config;
  gitServer = new GitHttpServer({ root: work, auth: { username: USERNAME, password: PASSWORD } });
  await gitServer.start();
  disposer.add(() => gitServer.stop());
  appsURL = gitServer.url('apps');
  configURL = gitServer.url('config');

  kube = new RealKube({ dir: join(work, 'cluster'), workloads: true });
  disposer.add(() => kube.stop());
  await kube.start();
  argocd = new RealArgoCD(kube);
  disposer.add(() => argocd.stop());
  const repoCred = (url: string): { url: string; username: string; password: string } => ({ url, username: USERNAME, password: PASSWORD });
  await argocd.start([repoCred(appsURL), repoCred(configURL)]);

  shuntKubeconfig = await grantShunt(kube, { projects: [PROJECT], shared: true, argocd: true });
  // The git credential lives only in a Kubernetes Secret in the project's namespace.
  await kube.apply([
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'gitops-repo', namespace: PROJECT, labels: { 'kargo.akuity.io/cred-type': 'git' } },
      stringData: { repoURL: appsURL, username: USERNAME, password: PASSWORD },
    },
    application('dev', {}),
    application('multi', { multi: true }),
    application('sel-a', { stage: 'selector', labels: { tier: 'selected' } }),
    application('sel-b', { stage: 'selector', labels: { tier: 'selected' } }),
    application('refused', { stage: 'someone-else' }),
    application('broken', {}),
    application('degraded', {}),
    application('busy', {}),
    application('restart', {}),
  ]);

  stack = await startShuntStack({
    namespace: 'realkube-argocd',
    credentialsPath: join(work, 'no-credentials-here'),
    cluster: { kubernetes: { mode: 'kubeconfig', path: shuntKubeconfig }, argocdWaitMs: 10_000 },
  });
  disposer.add(() => stack.stop());
  await stack.backend.apply([{ name: 'project.yaml', content: PROJECT_AND_WAREHOUSE }], { dryRun: false });
  await stack.backend.apply([{ name: 'stages.yaml', content: stages() }], { dryRun: false });
}, 600_000);

afterAll(() => disposer.dispose(), 120_000);

describe('argocd-update and argocd-wait against a real Argo CD and kube-apiserver', () => {
  it('pushes, syncs the pushed commit, and succeeds when Argo CD reports Synced and Healthy', async () => {
    const p = await finished(await startPromotion('dev', '1.0.0'));
    expect(outcome(p)).toEqual({ phase: 'Succeeded', message: '' });
    const head = await gitIn(appsGitDir, 'rev-parse', 'main');
    expect(p.state?.['push']?.['commit']).toBe(head);
    const app = await getApp('demo-dev');
    expect(app['status']).toMatchObject({
      operationState: { phase: 'Succeeded', syncResult: { revision: head }, operation: { initiatedBy: { username: 'shunt' } } },
      sync: { status: 'Synced', revision: head },
      health: { status: 'Healthy' },
    });
    // Argo CD deployed what Shunt pushed: the Deployment runs the promoted image.
    const image = await kube.kubectl(['get', 'deployment', 'web', '-n', 'app-dev', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
    expect(image).toBe(`${IMAGE}:1.0.0`);
    expect(gitServer.requests.some((r) => r.url.includes('git-receive-pack') && r.method === 'POST' && r.status === 200)).toBe(true);
  }, 300_000);

  it('syncs a multi-source Application with one revision per source, and Argo CD honours them', async () => {
    // Hold the controller so the operation Shunt writes can be read as the API server stored it.
    await argocd.stopController();
    const name = await startPromotion('multi', '1.0.1');
    const requested = await eventually(async () => (await getApp('demo-multi'))['operation'] as Json | undefined, 'the sync operation', 120_000);
    const pushed = await gitIn(appsGitDir, 'rev-parse', 'main');
    // Positional: the pushed commit for the app's source, the unchanged source's own targetRevision.
    expect(requested['sync']).toEqual({ revisions: [pushed, 'main'], syncOptions: ['CreateNamespace=true'] });
    argocd.startController();
    const p = await finished(name);
    expect(outcome(p)).toEqual({ phase: 'Succeeded', message: '' });
    const status = (await getApp('demo-multi'))['status'] as Json;
    expect(status).toMatchObject({
      operationState: { phase: 'Succeeded', syncResult: { revisions: [pushed, await gitIn(configGitDir, 'rev-parse', 'main')] } },
      sync: { status: 'Synced' },
      health: { status: 'Healthy' },
    });
    expect(await kube.kubectl(['get', 'configmap', 'web-settings', '-n', 'app-multi', '-o', 'jsonpath={.data.greeting}'])).toBe('hello');
  }, 300_000);

  it('updates and waits for every Application a selector matches', async () => {
    const p = await finished(await startPromotion('selector', '1.0.2'));
    expect(outcome(p)).toEqual({ phase: 'Succeeded', message: '' });
    expect(p.state?.['sync']).toEqual({
      apps: [
        { name: 'demo-sel-a', namespace: 'argocd' },
        { name: 'demo-sel-b', namespace: 'argocd' },
      ],
    });
    for (const ns of ['app-sel-a', 'app-sel-b']) {
      expect(await kube.kubectl(['get', 'deployment', 'web', '-n', ns, '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe(`${IMAGE}:1.0.2`);
    }
  }, 300_000);

  it('refuses an Application whose authorized-stage annotation names another stage, changing nothing', async () => {
    const before = await getApp('demo-refused');
    const p = await finished(await startPromotion('refused', '1.0.3'));
    expect(p.phase).toBe('Failed');
    expect(p.message).toContain('does not permit mutation by stage "refused" of project "demo"');
    const after = await getApp('demo-refused');
    expect((after['metadata'] as Json)['resourceVersion']).toBe((before['metadata'] as Json)['resourceVersion']);
  }, 300_000);

  it('fails the promotion with Argo CD’s message when the sync fails (the API server refuses a manifest)', async () => {
    const p = await finished(await startPromotion('broken', '1.0.4'));
    expect(p.phase).toBe('Failed');
    expect(p.message).toContain('Argo CD Application "demo-broken" in namespace "argocd": sync operation Failed');
    expect(p.message).toMatch(/port|Invalid value/);
  }, 300_000);

  it('fails the promotion when Argo CD reports the app Degraded after the sync', async () => {
    const p = await finished(await startPromotion('degraded', '1.0.5'));
    expect(p.phase).toBe('Failed');
    expect(p.message).toContain('Argo CD Application "demo-degraded" in namespace "argocd" is Degraded after the sync');
    // Argo CD v3.6 names the resources that make the app Degraded in the app's own health message
    // (it keeps their health and messages out of the Application: --persist-resource-health is
    // off by default), and Shunt passes that message on.
    expect(p.message).toContain('is Degraded after the sync: Caused by apps/Deployment:app-degraded/web');
  }, 300_000);

  it('waits for someone else’s operation to finish before starting its own sync', async () => {
    await argocd.stopController();
    const alice = { initiatedBy: { username: 'alice' }, sync: { revision: 'main', syncOptions: ['CreateNamespace=true'] } };
    await kube.kubectl(['patch', 'applications.argoproj.io', 'demo-busy', '-n', ARGOCD_NAMESPACE, '--type=merge', '-p', JSON.stringify({ operation: alice })]);
    const name = await startPromotion('busy', '1.0.6');
    const waiting = await eventually(
      async () => {
        const p = await stack.backend.getPromotion(PROJECT, name);
        return p.steps.find((s) => s.uses === 'argocd-update' && s.message?.includes('waiting for an operation not started by this promotion'));
      },
      'argocd-update to report that it waits for alice’s operation',
      120_000,
    );
    expect(waiting.status).toBe('Running');
    // Nothing was overwritten: the requested operation is still alice's.
    expect(((await getApp('demo-busy'))['operation'] as Json)['initiatedBy']).toEqual({ username: 'alice' });
    argocd.startController();
    const p = await finished(name);
    expect(outcome(p)).toEqual({ phase: 'Succeeded', message: '' });
    const history = ((await getApp('demo-busy'))['status'] as Json)['history'] as Array<{ initiatedBy?: { username?: string } }>;
    expect(history.map((h) => h.initiatedBy?.username)).toEqual(['alice', 'shunt']);
  }, 300_000);

  it('rides out a kube-apiserver restart in the middle of argocd-update', async () => {
    await argocd.stopController();
    const name = await startPromotion('restart', '1.0.7');
    await eventually(async () => (await getApp('demo-restart'))['operation'] as Json | undefined, 'the sync operation', 120_000);
    // Down long enough for the watch to end and the re-list to meet a refused connection; back
    // with a fresh watch cache (old resourceVersions: 410 Expired).
    await kube.restartApiserver(5_000);
    argocd.startController();
    const p = await finished(name);
    expect(outcome(p)).toEqual({ phase: 'Succeeded', message: '' });
    const sync = p.steps.find((s) => s.uses === 'argocd-update')!;
    expect({ status: sync.status, errorCount: sync.errorCount }).toEqual({ status: 'Succeeded', errorCount: 0 });
  }, 300_000);
});

describe('a cluster with Argo CD but without Argo Rollouts', () => {
  it('is seen through API discovery (so verification runs natively), and creating an AnalysisRun says Rollouts is missing', async () => {
    expect(await servesAnalysisRuns(createKubeClients({ mode: 'kubeconfig', path: shuntKubeconfig }))).toBe(false);
    const admin = createKubeClients({ mode: 'kubeconfig', path: kube.adminKubeconfig });
    const req = { namespace: PROJECT, name: 'dev.run.1', templates: [{ metadata: { name: 't' }, spec: { metrics: [{ name: 'm', provider: { web: { url: 'http://127.0.0.1:1' } } }] } }], args: [] };
    await expect(createAnalysisRun(admin, req)).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: expect.stringContaining('has no AnalysisRun resource (argoproj.io/v1alpha1): Argo Rollouts is not installed in the cluster'),
    });
  }, 60_000);
});
