/**
 * A promotion through the real worker and the Temporal dev server where argocd-update follows
 * git-push: the worker is connected to the fake Kubernetes API server by a kubeconfig, reads the
 * git credential from a Kubernetes Secret in the project's namespace (none in files), pushes to
 * an authenticated HTTP git remote, then points the Argo CD Application at the pushed commit,
 * syncs it, and the promotion is done only when the Argo CD-like controller reports it Synced
 * to that commit and Healthy. Argo CD failing the sync fails the promotion with Argo CD's
 * message; a sync that never ends runs into the step's timeout. Neither the Kubernetes token nor
 * the git password appears in any workflow history.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Stage } from '../../core/model.js';
import { projectWorkflowId } from '../../workflows/definitions.js';
import { anApplication, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { Disposer, hermeticEnv, tempDir } from '../support/git-repos.js';
import { GitHttpServer } from '../support/git-server.js';
import { historyText } from '../support/histories.js';
import { aCredentialSecret, aStage, asKubeSecret } from '../support/manifests.js';
import { scenario } from '../support/scenario.js';
import type { PromotionItem } from '../support/shunt-api.js';
import { startShuntStack, type ShuntStack } from '../support/shunt-stack.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const example = join(root, 'examples', 'three-stage');
const PROJECT = 'demo';
const USERNAME = 'promoter';
const PASSWORD = `kube-s3cr3t-${randomBytes(12).toString('hex')}`;

const disposer = new Disposer();
let stack: ShuntStack;
let cluster: FakeCluster;
let gitServer: GitHttpServer;
let repoURL: string;
let originDir: string;
const { given, when, then } = scenario(() => stack.url);

async function gitOrigin(...args: string[]): Promise<string> {
  const { stdout } = await run('git', ['--git-dir', originDir, ...args], { env: hermeticEnv() });
  return stdout.trim();
}

/** Stage `stage` of PROJECT: clone, set the image, commit, push, then sync Argo CD Application `app` and wait for it. */
function argocdStage(stage: string, app: string, timeout?: string): Stage {
  return aStage(stage, {
    project: PROJECT,
    steps: [
      { uses: 'git-clone', config: { repoURL, checkout: [{ branch: 'main', path: './repo' }] } },
      {
        uses: 'kustomize-set-image',
        as: 'update-image',
        config: { path: './repo/env/dev', images: [{ image: 'ghcr.io/example/app', tag: "${{ imageFrom('ghcr.io/example/app').Tag }}" }] },
      },
      { uses: 'git-commit', config: { path: './repo', message: "${{ outputs['update-image'].commitMessage }}" } },
      { uses: 'git-push', as: 'push', config: { path: './repo' } },
      {
        uses: 'argocd-update',
        as: 'sync',
        ...(timeout ? { retry: { timeout } } : {}),
        config: { apps: [{ name: app, sources: [{ repoURL, desiredRevision: '${{ outputs.push.commit }}' }] }] },
      },
      { uses: 'argocd-wait', config: { apps: [{ name: app, revision: '${{ outputs.push.commit }}' }] } },
    ],
  });
}

/** Freight of the app image at `tag`, promoted to `stage`, once the promotion has ended. */
async function promoteAndWait(stage: string, tag: string): Promise<PromotionItem> {
  const freight = await given.freight(PROJECT, tag);
  const promotion = await when.promoted(PROJECT, stage, freight.metadata.name);
  return then.promotionEnds(PROJECT, promotion, 100_000);
}

beforeAll(async () => {
  const work = await tempDir(disposer, 'shunt-e2e-argocd-');
  await run('bash', [join(example, 'make-demo-repo.sh'), join(work, 'demo')], { env: hermeticEnv() });
  originDir = join(work, 'demo', 'gitops.git');
  gitServer = new GitHttpServer({ root: join(work, 'demo'), auth: { username: USERNAME, password: PASSWORD } });
  await gitServer.start();
  disposer.add(() => gitServer.stop());
  repoURL = gitServer.url('gitops');

  // Argo CD resolves a branch to the commit at its tip, as it does from the repository.
  cluster = await startFakeCluster({
    resolveRevision: async (_repo, rev) => (/^[0-9a-f]{40}$/.test(rev) ? rev : gitOrigin('rev-parse', rev)),
  });
  disposer.add(() => cluster.stop());
  // The git credential lives only in a Kubernetes Secret in the project's namespace.
  cluster.server.apply(asKubeSecret(aCredentialSecret('gitops-repo', 'git', { repoURL, username: USERNAME, password: PASSWORD }, PROJECT)));
  for (const [name, stage] of [
    ['demo-dev', 'dev'],
    ['demo-broken', 'broken'],
    ['demo-stuck', 'stuck'],
  ] as const) {
    cluster.server.apply(anApplication({ name, authorizedStage: `${PROJECT}:${stage}`, repoURL, targetRevision: 'main' }));
  }
  cluster.argocd.behave('argocd', 'demo-broken', { fail: 'one or more synchronization tasks completed unsuccessfully' });
  cluster.argocd.behave('argocd', 'demo-stuck', { hang: true });

  const kubeconfig = join(work, 'kubeconfig');
  await writeFile(kubeconfig, cluster.kubeconfig());
  stack = await startShuntStack({
    namespace: 'argocd',
    credentialsPath: join(work, 'no-credentials-here'),
    cluster: { kubernetes: { mode: 'kubeconfig', path: kubeconfig }, argocdWaitMs: 2_000 },
  });
  disposer.add(() => stack.stop());

  await given.aProject(PROJECT, { docs: [argocdStage('dev', 'demo-dev'), argocdStage('broken', 'demo-broken'), argocdStage('stuck', 'demo-stuck', '8s')] });
}, 120_000);

afterAll(() => disposer.dispose());

describe('argocd-update after git-push, through the worker and Temporal', () => {
  let promotion: PromotionItem;

  it('pushes, syncs the pushed commit and succeeds once Argo CD reports Synced and Healthy', async () => {
    promotion = await promoteAndWait('dev', '1.0.0');
    expect({ phase: promotion.status.phase, message: promotion.status.message ?? '' }).toEqual({ phase: 'Succeeded', message: '' });
    const head = await gitOrigin('rev-parse', 'main');
    expect(promotion.status.state?.['push']?.['commit']).toBe(head);
    expect(promotion.status.state?.['sync']).toEqual({ apps: [{ name: 'demo-dev', namespace: 'argocd' }] });
    const app = cluster.server.get('applications', 'argocd', 'demo-dev')!;
    expect(app['status']).toMatchObject({
      operationState: { phase: 'Succeeded', syncResult: { revision: head } },
      sync: { status: 'Synced', revision: head },
      health: { status: 'Healthy' },
    });
    expect(cluster.argocd.operations.filter((o) => o.name === 'demo-dev')).toHaveLength(1);
    expect(cluster.argocd.operations[0]!.operation['info']).toContainEqual({ name: 'kargo.akuity.io/promotion', value: promotion.metadata.name });
    // The push used the credential from the Kubernetes Secret.
    expect(gitServer.requests.some((r) => r.url.includes('git-receive-pack') && r.method === 'POST' && r.status === 200)).toBe(true);
  });

  it('keeps the Kubernetes token and the git password out of the workflow histories', async () => {
    for (const id of [promotion.status.workflowId!, projectWorkflowId(PROJECT)]) {
      const text = historyText(await stack.client.workflow.getHandle(id).fetchHistory());
      expect(text).toContain('argocd-update');
      expect({ id, token: text.includes(cluster.token), password: text.includes(PASSWORD) }).toEqual({ id, token: false, password: false });
    }
  });

  it('fails the promotion with Argo CD’s message when the sync fails', async () => {
    const failed = await promoteAndWait('broken', '1.1.0');
    expect(failed.status.phase).toBe('Failed');
    expect(failed.status.message).toContain('Argo CD Application "demo-broken" in namespace "argocd": sync operation Failed: one or more synchronization tasks completed unsuccessfully');
  });

  it('ends the promotion when a sync outlasts the step’s timeout', async () => {
    const stuck = await promoteAndWait('stuck', '1.2.0');
    expect(stuck.status.phase).toBe('Errored');
    expect(stuck.status.message).toContain('timed out');
    expect(cluster.argocd.operations.filter((o) => o.name === 'demo-stuck')).toHaveLength(1);
  });
});
