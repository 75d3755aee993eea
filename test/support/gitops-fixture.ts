/**
 * GitOps repositories and Kargo manifests for the crash, fault and load tests and the
 * benchmarks: bare repositories whose `env/<stage>/kustomization.yaml` a promotion bumps, and
 * what each promotion left on a branch (its commits, by their `Shunt-Promotion` trailer).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { git, type Disposer, createOrigin, type Origin } from './git-repos.js';
import type { FreightSources, PromotionStepSpec } from '../../core/model.js';
import { aFreight, aProject, APP_IMAGE, aStage, aWarehouse, WAREHOUSE, yamlOf } from './manifests.js';

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

/** The steps of a stage: clone, set the image tag for the stage, (`beforeCommit`,) commit, push. */
export function promotionSteps(
  repoURL: string,
  stage: string,
  extra: { beforeCommit?: PromotionStepSpec[]; errorThreshold?: number } = {},
): PromotionStepSpec[] {
  const retry = extra.errorThreshold === undefined ? {} : { retry: { errorThreshold: extra.errorThreshold } };
  return [
    { uses: 'git-clone', ...retry, config: { repoURL, checkout: [{ branch: 'main', path: './repo' }] } },
    {
      uses: 'kustomize-set-image',
      as: 'update-image',
      config: { path: `./repo/env/${stage}`, images: [{ image: APP_IMAGE, tag: `\${{ imageFrom('${APP_IMAGE}').Tag }}` }] },
    },
    ...(extra.beforeCommit ?? []),
    { uses: 'git-commit', config: { path: './repo', message: "${{ outputs['update-image'].commitMessage }}" } },
    { uses: 'git-push', ...retry, config: { path: './repo' } },
  ];
}

export interface ProjectStage {
  name: string;
  steps: PromotionStepSpec[];
  /** Where its freight comes from (default: straight from the warehouse). */
  sources?: FreightSources;
  annotations?: Record<string, string>;
}

/**
 * A project with a warehouse `app` (SemVer) and the given stages; `extraDocs` (e.g. a
 * ProjectConfig) come after the Project.
 */
export function projectManifests(project: string, stages: ProjectStage[], extraDocs: object[] = []): string {
  return yamlOf(
    aProject(project),
    ...extraDocs,
    aWarehouse(WAREHOUSE, { project, subscriptions: [{ image: { repoURL: APP_IMAGE, imageSelectionStrategy: 'SemVer' } }] }),
    ...stages.map(({ name, ...opts }) => aStage(name, { project, ...opts })),
  );
}

/** Freight for the app image at `tag`, with a digest made from it (applied by hand, as the examples do). */
export function freightManifest(project: string, tag: string): string {
  return yamlOf(aFreight({ project, tag }));
}

export const repoPath = (root: string, name: string): string => join(root, `${name}.git`);
