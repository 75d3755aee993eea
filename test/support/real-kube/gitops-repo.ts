/**
 * The GitOps repositories the real Argo CD syncs, as bare repositories served over smart HTTP:
 * `apps` holds a kustomize app (a Deployment in base/, one overlay per environment under env/,
 * with broken and degraded variants) and `config` a second source (a ConfigMap) for
 * multi-source Applications.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { git, TEST_IDENTITY } from '../git-repos.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  progressDeadlineSeconds: 600
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ghcr.io/example/app:0.0.1
`;

function overlay(extra = ''): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
${extra}images:
  - name: ghcr.io/example/app
    newTag: 0.0.1 # set by Shunt
`;
}

/** Overlays: every env/<name> Shunt may promote into. */
export const ENVIRONMENTS = ['dev', 'multi', 'sel-a', 'sel-b', 'busy', 'restart', 'refused'] as const;

const FILES: Record<string, string> = {
  'base/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n',
  'base/deployment.yaml': DEPLOYMENT,
  ...Object.fromEntries(ENVIRONMENTS.map((e) => [`env/${e}/kustomization.yaml`, overlay()])),
  // The API server refuses this Service (port 0): the sync fails.
  'env/broken/kustomization.yaml': overlay('  - service.yaml\n'),
  'env/broken/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n    - port: 0\n',
  // No node matches: the rollout never progresses and Argo CD reports the Deployment Degraded.
  'env/degraded/kustomization.yaml': overlay('patches:\n  - path: stuck.yaml\n'),
  'env/degraded/stuck.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  progressDeadlineSeconds: 5\n  template:\n    spec:\n      nodeSelector: {no-such-node: "true"}\n',
};

const CONFIG_FILES: Record<string, string> = {
  'settings/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-settings\ndata:\n  greeting: hello\n',
};

async function makeBare(root: string, name: string, files: Record<string, string>): Promise<string> {
  const work = join(root, `${name}-seed`);
  await mkdir(work, { recursive: true });
  await git(work, ['init', '-q', '-b', 'main']);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(dirname(join(work, file)), { recursive: true });
    await writeFile(join(work, file), content);
  }
  await git(work, ['add', '-A']);
  await git(work, ['commit', '-q', '-m', 'initial layout'], TEST_IDENTITY);
  const bare = join(root, `${name}.git`);
  await git(root, ['clone', '-q', '--bare', work, bare]);
  return bare;
}

/** Creates `<root>/apps.git` and `<root>/config.git`. */
export async function makeGitOpsRepos(root: string): Promise<{ apps: string; config: string }> {
  return { apps: await makeBare(root, 'apps', FILES), config: await makeBare(root, 'config', CONFIG_FILES) };
}
