/**
 * What changed, read from the worker's git mirror through the api: a promotion's commits and the
 * diff of its files (a large file's patch cut and marked truncated; a promotion that pushed
 * nothing answers empty lists), and the comparison of two stages' freight with the commits
 * between their revisions, over real git repositories and a real worker.
 */
import { Disposer, commitToOrigin, createOrigin, tempDir, type Origin } from '../support/git-repos.js';
import { gitopsRepo, projectManifests, promotionSteps } from '../support/gitops-fixture.js';
import type { PromotionStepSpec } from '../../core/model.js';
import { APP_IMAGE, aWarehouse, digestOf, WAREHOUSE } from '../support/manifests.js';
import { shunt as runShunt, type CliResult } from '../support/cli.js';
import { scenario } from '../support/scenario.js';
import { startShuntStack, type ShuntStack } from '../support/shunt-stack.js';

const PROJECT = 'changes';
const disposer = new Disposer();
let stack: ShuntStack;
let gitops: Origin;
let source: Origin;
const sourceCommits: string[] = [];
const { given, when, then, api } = scenario(() => stack.url);

/** 3000 numbered lines (about 40 KB): more than a patch keeps per file. */
const BIG_FILE = Array.from({ length: 3000 }, (_, i) => `line ${i + 1} of the generated report`).join('\n');

const writeBigFile: PromotionStepSpec[] = [{ uses: 'file-write', config: { path: './repo/env/staging/report.txt', contents: `${BIG_FILE}\n` } }];

/** Clone, commit and push with no edit in between: the push step reports the remote's head, pushing nothing. */
const noEditSteps = (repoURL: string): PromotionStepSpec[] => [
  { uses: 'git-clone', config: { repoURL, checkout: [{ branch: 'main', path: './repo' }] } },
  { uses: 'git-commit', config: { path: './repo', message: 'nothing to change' } },
  { uses: 'git-push', config: { path: './repo' } },
];

beforeAll(async () => {
  stack = await startShuntStack({ namespace: 'changes' });
  const root = await tempDir(disposer, 'shunt-changes-');
  gitops = await gitopsRepo(disposer, root, 'gitops', ['dev', 'staging']);
  source = await createOrigin(disposer, { root, name: 'app-source', files: { 'main.go': 'package main\n' } });
  for (const n of [1, 2, 3]) sourceCommits.push(await commitToOrigin(disposer, source, { 'main.go': `package main // v${n}\n` }, `feature ${n}`));
  await given.manifests(
    projectManifests(PROJECT, [
      { name: 'dev', steps: promotionSteps(gitops.url, 'dev') },
      { name: 'staging', steps: promotionSteps(gitops.url, 'staging', { beforeCommit: writeBigFile }) },
      { name: 'noop', steps: noEditSteps(gitops.url) },
    ]),
  );
  // The freight's commits must come from a subscription of its warehouse.
  await given.manifests(
    aWarehouse(WAREHOUSE, { project: PROJECT, subscriptions: [{ image: { repoURL: APP_IMAGE, imageSelectionStrategy: 'SemVer' } }, { git: { repoURL: source.url, branch: 'main' } }] }),
  );
});

afterAll(async () => {
  await stack?.stop();
  await disposer.dispose();
});

const shunt = (argv: string[]): Promise<CliResult> => runShunt(argv, { server: stack.url });
const get = (path: string) => api.request<any>('GET', `/api/v1/projects/${PROJECT}${path}`);

describe('promotion changes and stage compare', () => {
  let devPromotion = '';
  let stagingPromotion = '';

  beforeAll(async () => {
    const older = await given.freight(PROJECT, '1.0.0', { commits: [{ repoURL: source.url, id: sourceCommits[0]! }] });
    const newer = await given.freight(PROJECT, '1.1.0', { commits: [{ repoURL: source.url, id: sourceCommits[2]! }] });
    devPromotion = await when.promoted(PROJECT, 'dev', older.metadata.name);
    expect((await then.promotionEnds(PROJECT, devPromotion)).status.phase).toBe('Succeeded');
    stagingPromotion = await when.promoted(PROJECT, 'staging', newer.metadata.name);
    expect((await then.promotionEnds(PROJECT, stagingPromotion)).status.phase).toBe('Succeeded');
  });

  it("lists the commit a promotion pushed and its file's diff, read from the worker's mirror", async () => {
    const res = await get(`/promotions/${devPromotion}/changes`);
    expect(res.status).toBe(200);
    expect(res.body.commits).toEqual([
      {
        repoURL: gitops.url,
        branch: 'main',
        sha: expect.stringMatching(/^[0-9a-f]{40}$/),
        author: expect.stringMatching(/<.+@.+>$/),
        date: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        message: expect.stringContaining(`Shunt-Promotion: ${devPromotion}`),
      },
    ]);
    expect(res.body.files).toEqual([
      {
        repoURL: gitops.url,
        path: 'env/dev/kustomization.yaml',
        change: 'modified',
        additions: 1,
        deletions: 1,
        patch: expect.stringMatching(/^diff --git a\/env\/dev\/kustomization.yaml b\/env\/dev\/kustomization.yaml\n[\s\S]*\n-.*newTag: 0\.0\.1[\s\S]*\n\+.*newTag:.*1\.0\.0/),
        truncated: false,
      },
    ]);
    expect(res.body.truncated).toBeUndefined();
  });

  it('shows them with shunt get promotion NAME --changes', async () => {
    const table = await shunt(['get', 'promotion', devPromotion, '--changes', '--project', PROJECT]);
    expect(table.stderr).toBe('');
    expect(table.stdout).toMatch(/^COMMIT\s+BRANCH\s+AUTHOR\s+DATE\s+MESSAGE\n[0-9a-f]{7}\S*\s+main\s+/);
    expect(table.stdout).toMatch(/\nFILE\s+CHANGE\s+\+\s+-\s+REPOSITORY\nenv\/dev\/kustomization.yaml\s+modified\s+1\s+1\s+file:\/\//);
    const yaml = await shunt(['get', 'promotion', devPromotion, '--changes', '--project', PROJECT, '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/\n\s+patch: [\s\S]*newTag:[^\n]*1\.0\.0/);
  });

  it('cuts the patch of a large file and says so', async () => {
    const res = await get(`/promotions/${stagingPromotion}/changes`);
    expect(res.status).toBe(200);
    expect(res.body.commits).toHaveLength(1);
    const report = res.body.files.find((f: { path: string }) => f.path === 'env/staging/report.txt');
    expect(report).toMatchObject({ change: 'added', additions: 3000, deletions: 0, truncated: true });
    expect(Buffer.byteLength(report.patch)).toBeLessThanOrEqual(16 * 1024);
    expect(report.patch).toContain('+line 1 of the generated report');
    expect(report.patch).not.toContain('line 3000 of');
    expect(res.body.files.find((f: { path: string }) => f.path === 'env/staging/kustomization.yaml')).toMatchObject({ change: 'modified', truncated: false });
  });

  it('answers empty lists for a promotion that pushed nothing of its own', async () => {
    const freight = (await api.freight(PROJECT)).find((f) => f.images[0]?.tag === '1.0.0')!;
    const noop = await when.promoted(PROJECT, 'noop', freight.metadata.name);
    expect((await then.promotionEnds(PROJECT, noop)).status.phase).toBe('Succeeded');
    const res = await get(`/promotions/${noop}/changes`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ commits: [], files: [] });
  });

  it('answers 404 for an unknown promotion', async () => {
    const res = await get('/promotions/nope.000001.aaaaaaa/changes');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/promotion "nope.000001.aaaaaaa" not found/);
  });

  it("compares two stages' images and the commits between their revisions", async () => {
    const res = await get('/stages/dev/compare?with=staging');
    expect(res.status).toBe(200);
    expect(res.body.stage).toEqual({ name: 'dev', freight: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(res.body.with).toEqual({ name: 'staging', freight: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(res.body.images).toEqual([
      { repoURL: APP_IMAGE, stage: { tag: '1.0.0', digest: digestOf('1.0.0') }, with: { tag: '1.1.0', digest: digestOf('1.1.0') } },
    ]);
    expect(res.body.charts).toEqual([]);
    expect(res.body.commits).toEqual([
      {
        repoURL: source.url,
        stage: sourceCommits[0],
        with: sourceCommits[2],
        between: [
          expect.objectContaining({ sha: sourceCommits[2], message: 'feature 3' }),
          expect.objectContaining({ sha: sourceCommits[1], message: 'feature 2' }),
        ],
        truncated: false,
      },
    ]);
  });

  it('answers 404 for an unknown stage and 400 without ?with', async () => {
    const unknown = await get('/stages/dev/compare?with=qa');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/stage "qa" not found/);
    const missing = await get('/stages/dev/compare');
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/^invalid compare request: with: /);
  });
});

