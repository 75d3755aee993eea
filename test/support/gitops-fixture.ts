/**
 * GitOps repositories and Kargo manifests for the crash, fault and load tests and the
 * benchmarks: bare repositories whose `env/<stage>/kustomization.yaml` a promotion bumps, and
 * what each promotion left on a branch (its commits, by their `Shunt-Promotion` trailer).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { git, type Disposer, createOrigin, type Origin } from './git-repos.js';
import { aFreight, aProject, APP_IMAGE, aWarehouse, WAREHOUSE, yamlOf } from './manifests.js';

export { APP_IMAGE };

export function kustomization(stage: string): string {
  return `# ${stage}: the app as Argo CD deploys it
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  - name: ${APP_IMAGE}
    newTag: 0.0.1 # set by Shunt
`;
}

/** A bare `<root>/<name>.git` with `env/<stage>/kustomization.yaml` for each stage. */
export async function gitopsRepo(disposer: Disposer, root: string, name: string, stages: string[]): Promise<Origin> {
  await mkdir(root, { recursive: true });
  const files: Record<string, string> = { 'README.md': `# ${name}\n` };
  for (const s of stages) files[`env/${s}/kustomization.yaml`] = kustomization(s);
  return createOrigin(disposer, { root, name, files });
}

export interface PromotionCommit {
  sha: string;
  promotion: string;
}

/** The commits on `branch` after the seed, oldest first, with the promotion that made each. */
export async function promotionCommits(repoDir: string, branch = 'main'): Promise<PromotionCommit[]> {
  const out = await git(repoDir, ['log', '--reverse', '--format=%H %(trailers:key=Shunt-Promotion,valueonly,separator=%x2C)', branch]);
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(1)
    .map((line) => {
      const [sha, promotion] = line.trim().split(' ');
      return { sha: sha!, promotion: promotion ?? '' };
    });
}

/** The tag `env/<stage>/kustomization.yaml` sets on `branch` of the repository. */
export async function deployedTag(repoDir: string, stage: string, branch = 'main'): Promise<string | undefined> {
  const text = await git(repoDir, ['show', `${branch}:env/${stage}/kustomization.yaml`]);
  return /newTag:\s*"?([^"\s#]+)/.exec(text)?.[1];
}

/** The steps of a stage: clone, set the image tag for the stage, commit, push. */
export function promotionSteps(
  repoURL: string,
  stage: string,
  extra: { beforeCommit?: string; errorThreshold?: number } = {},
): string {
  const retry = extra.errorThreshold === undefined ? '' : `          retry:\n            errorThreshold: ${extra.errorThreshold}\n`;
  return `      steps:
        - uses: git-clone
${retry}          config:
            repoURL: ${repoURL}
            checkout:
              - branch: main
                path: ./repo
        - uses: kustomize-set-image
          as: update-image
          config:
            path: ./repo/env/${stage}
            images:
              - image: ${APP_IMAGE}
                tag: \${{ imageFrom('${APP_IMAGE}').Tag }}
${extra.beforeCommit ?? ''}        - uses: git-commit
          config:
            path: ./repo
            message: \${{ outputs['update-image'].commitMessage }}
        - uses: git-push
${retry}          config:
            path: ./repo
`;
}

export interface StageSpec {
  name: string;
  steps: string;
  /** The requestedFreight sources, as YAML lines under `sources:` (default: straight from the warehouse). */
  sources?: string;
}

/**
 * A project with a warehouse `app` and the given stages, each taking freight straight from it
 * unless it says otherwise; `extraDocs` (e.g. a ProjectConfig) come after the Project.
 */
export function projectManifests(project: string, stages: StageSpec[], extraDocs: string[] = []): string {
  const docs = [
    yamlOf(aProject(project)),
    ...extraDocs,
    yamlOf(aWarehouse(WAREHOUSE, { project, subscriptions: [{ image: { repoURL: APP_IMAGE, imageSelectionStrategy: 'SemVer' } }] })),
    ...stages.map(
      (s) => `apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata:
  name: ${s.name}
  namespace: ${project}
spec:
  requestedFreight:
    - origin:
        kind: Warehouse
        name: app
      sources:
${s.sources ?? '        direct: true\n'}  promotionTemplate:
    spec:
${s.steps}`,
    ),
  ];
  return docs.join('---\n');
}

/** Freight for the app image at `tag`, with a digest made from it (applied by hand, as the examples do). */
export function freightManifest(project: string, tag: string): string {
  return yamlOf(aFreight({ project, tag }));
}

export const repoPath = (root: string, name: string): string => join(root, `${name}.git`);
