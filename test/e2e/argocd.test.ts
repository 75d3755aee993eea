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
import type { PromotionRecord } from '../../core/project/state.js';
import { TERMINAL_PHASES } from '../../core/promotion/types.js';
import { projectWorkflowId } from '../../workflows/definitions.js';
import { anApplication, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { Disposer, hermeticEnv, tempDir } from '../support/git-repos.js';
import { GitHttpServer } from '../support/git-server.js';
import { eventually } from '../support/poll.js';
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

async function gitOrigin(...args: string[]): Promise<string> {
  const { stdout } = await run('git', ['--git-dir', originDir, ...args], { env: hermeticEnv() });
  return stdout.trim();
}

function pipeline(stage: string, app: string, timeout?: string): string {
  return `apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata:
  name: ${stage}
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
        - uses: git-clone
          config:
            repoURL: ${repoURL}
            checkout:
              - branch: main
                path: ./repo
        - uses: kustomize-set-image
          as: update-image
          config:
            path: ./repo/env/dev
            images:
              - image: ghcr.io/example/app
                tag: \${{ imageFrom('ghcr.io/example/app').Tag }}
        - uses: git-commit
          config:
            path: ./repo
            message: \${{ outputs['update-image'].commitMessage }}
        - uses: git-push
          as: push
          config:
            path: ./repo
        - uses: argocd-update
          as: sync${timeout ? `\n          retry:\n            timeout: ${timeout}` : ''}
          config:
            apps:
              - name: ${app}
                sources:
                  - repoURL: ${repoURL}
                    desiredRevision: \${{ outputs.push.commit }}
        - uses: argocd-wait
          config:
            apps:
              - name: ${app}
                revision: \${{ outputs.push.commit }}
`;
}

const PROJECT_AND_WAREHOUSE = `apiVersion: kargo.akuity.io/v1alpha1
kind: Project
metadata:
  name: ${PROJECT}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Warehouse
metadata:
  name: app
  namespace: ${PROJECT}
spec:
  subscriptions:
    - image:
        repoURL: ghcr.io/example/app
`;

function freight(tag: string): string {
  return `apiVersion: kargo.akuity.io/v1alpha1
kind: Freight
metadata:
  namespace: ${PROJECT}
origin:
  kind: Warehouse
  name: app
images:
  - repoURL: ghcr.io/example/app
    tag: ${tag}
    digest: sha256:${tag.replace(/\D/g, '').padEnd(64, '0')}
`;
}

async function apply(name: string, content: string): Promise<void> {
  await stack.backend.apply([{ name, content }], { dryRun: false });
}

async function freightWithTag(tag: string): Promise<string> {
  const state = await stack.backend.getProject(PROJECT);
  const found = Object.values(state.freight).find((f) => f.images[0]?.tag === tag);
  if (!found) throw new Error(`no freight with image tag ${tag}`);
  return found.name;
}

async function promoteAndWait(stage: string, tag: string): Promise<PromotionRecord> {
  await apply(`freight-${tag}.yaml`, freight(tag));
  const started = await stack.backend.promote(PROJECT, { stage, freight: await freightWithTag(tag) });
  return eventually(
    async () => {
      const p = await stack.backend.getPromotion(PROJECT, started.name);
      return TERMINAL_PHASES.includes(p.phase) ? p : undefined;
    },
    `promotion ${started.name} to finish`,
    100_000,
  );
}

function historyText(history: unknown): string {
  const decoded: string[] = [];
  const walk = (value: unknown): void => {
    if (value instanceof Uint8Array) decoded.push(Buffer.from(value).toString('utf8'));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
  };
  walk(history);
  return `${JSON.stringify(history)}\n${decoded.join('\n')}`;
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
  cluster.server.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'gitops-repo', namespace: PROJECT, labels: { 'kargo.akuity.io/cred-type': 'git' } },
    data: {
      repoURL: Buffer.from(repoURL).toString('base64'),
      username: Buffer.from(USERNAME).toString('base64'),
      password: Buffer.from(PASSWORD).toString('base64'),
    },
  });
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

  await apply('project.yaml', PROJECT_AND_WAREHOUSE);
  await apply('stages.yaml', [pipeline('dev', 'demo-dev'), pipeline('broken', 'demo-broken'), pipeline('stuck', 'demo-stuck', '8s')].join('---\n'));
}, 120_000);

afterAll(() => disposer.dispose());

describe('argocd-update after git-push, through the worker and Temporal', () => {
  let promotion: PromotionRecord;

  it('pushes, syncs the pushed commit and succeeds once Argo CD reports Synced and Healthy', async () => {
    promotion = await promoteAndWait('dev', '1.0.0');
    expect({ phase: promotion.phase, message: promotion.message ?? '' }).toEqual({ phase: 'Succeeded', message: '' });
    const head = await gitOrigin('rev-parse', 'main');
    expect(promotion.state?.['push']?.['commit']).toBe(head);
    expect(promotion.state?.['sync']).toEqual({ apps: [{ name: 'demo-dev', namespace: 'argocd' }] });
    const app = cluster.server.get('applications', 'argocd', 'demo-dev')!;
    expect(app['status']).toMatchObject({
      operationState: { phase: 'Succeeded', syncResult: { revision: head } },
      sync: { status: 'Synced', revision: head },
      health: { status: 'Healthy' },
    });
    expect(cluster.argocd.operations.filter((o) => o.name === 'demo-dev')).toHaveLength(1);
    expect(cluster.argocd.operations[0]!.operation['info']).toContainEqual({ name: 'kargo.akuity.io/promotion', value: promotion.name });
    // The push used the credential from the Kubernetes Secret.
    expect(gitServer.requests.some((r) => r.url.includes('git-receive-pack') && r.method === 'POST' && r.status === 200)).toBe(true);
  });

  it('keeps the Kubernetes token and the git password out of the workflow histories', async () => {
    for (const id of [promotion.workflowId, projectWorkflowId(PROJECT)]) {
      const text = historyText(await stack.client.workflow.getHandle(id).fetchHistory());
      expect(text).toContain('argocd-update');
      expect({ id, token: text.includes(cluster.token), password: text.includes(PASSWORD) }).toEqual({ id, token: false, password: false });
    }
  });

  it('fails the promotion with Argo CD’s message when the sync fails', async () => {
    const failed = await promoteAndWait('broken', '1.1.0');
    expect(failed.phase).toBe('Failed');
    expect(failed.message).toContain('Argo CD Application "demo-broken" in namespace "argocd": sync operation Failed: one or more synchronization tasks completed unsuccessfully');
  });

  it('ends the promotion when a sync outlasts the step’s timeout', async () => {
    const stuck = await promoteAndWait('stuck', '1.2.0');
    expect(stuck.phase).toBe('Errored');
    expect(stuck.message).toContain('timed out');
    expect(cluster.argocd.operations.filter((o) => o.name === 'demo-stuck')).toHaveLength(1);
  });
});
