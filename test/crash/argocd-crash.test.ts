/**
 * Crash tests at the Argo CD boundaries: Shunt started as `npm start` starts it, its worker
 * connected by a kubeconfig to the test's Kubernetes API server with an Argo CD-like controller
 * (test/support/fake-kube), two promotions with git steps then `argocd-update` and `argocd-wait`:
 *
 * - stage `sync`: after the push, before the Argo CD sync (argocd-update's first request to the
 *   API server is held by a proxy in front of it);
 * - stage `wait`: during the wait for Argo CD (the sync was requested; Argo CD keeps it running
 *   until the test lets it finish, which it does while Shunt is down, as Argo CD would go on
 *   without Shunt).
 *
 * The whole process tree is killed with SIGKILL and started again on the same data dir: both
 * promotions complete, each repository gains exactly one commit, each Application is written
 * (and its sync requested) once, and ends synced to the pushed commit.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { anApplication, startFakeCluster, type FakeCluster } from '../support/fake-kube/index.js';
import { GatedProxy } from '../support/gated-proxy.js';
import { GitHttpServer } from '../support/git-server.js';
import { Disposer, hermeticEnv, tempDir } from '../support/git-repos.js';
import type { PromotionStepSpec } from '../../core/model.js';
import { freightManifest, gitopsRepo, projectManifests, promotionCommits, promotionSteps, repoPath } from '../support/gitops-fixture.js';
import { LaunchedShunt } from '../support/launched-shunt.js';
import { eventually } from '../support/poll.js';
import { ShuntApi } from '../support/shunt-api.js';

const run = promisify(execFile);
const PROJECT = 'crash-argo';
const STAGES = ['sync', 'wait'] as const;
const app = (stage: string): string => `crash-${stage}`;

const disposer = new Disposer();
let repos: string;
let cluster: FakeCluster;
let kube: GatedProxy;
let shunt: LaunchedShunt;
const api = new ShuntApi(() => shunt.api);

function argoSteps(repoURL: string, stage: string): PromotionStepSpec[] {
  return [
    ...promotionSteps(repoURL, stage).map((step) => (step.uses === 'git-push' ? { ...step, as: 'push' } : step)),
    { uses: 'argocd-update', config: { apps: [{ name: app(stage), sources: [{ repoURL, desiredRevision: '${{ outputs.push.commit }}' }] }] } },
    { uses: 'argocd-wait', retry: { timeout: '20m' }, config: { apps: [{ name: app(stage), revision: '${{ outputs.push.commit }}' }] } },
  ];
}

beforeAll(async () => {
  const work = await tempDir(disposer, 'shunt-crash-argo-');
  repos = join(work, 'repos');
  for (const s of STAGES) await gitopsRepo(disposer, repos, app(s), [s]);
  const gitServer = new GitHttpServer({ root: repos });
  await gitServer.start();
  disposer.add(() => gitServer.stop());

  cluster = await startFakeCluster({
    resolveRevision: async (repoURL, rev) => {
      if (/^[0-9a-f]{40}$/.test(rev)) return rev;
      const name = /\/([^/]+)\.git$/.exec(repoURL)?.[1] ?? '';
      return (await run('git', ['--git-dir', repoPath(repos, name), 'rev-parse', rev], { env: hermeticEnv() })).stdout.trim();
    },
  });
  disposer.add(() => cluster.stop());
  kube = new GatedProxy(cluster.server.url);
  await kube.start();
  disposer.add(() => kube.stop());
  for (const s of STAGES) {
    cluster.server.apply(anApplication({ name: app(s), authorizedStage: `${PROJECT}:${s}`, repoURL: gitServer.url(app(s)), targetRevision: 'main' }));
  }
  const kubeconfig = join(work, 'kubeconfig');
  await writeFile(kubeconfig, cluster.kubeconfig().replace(cluster.server.url, kube.baseURL));

  shunt = new LaunchedShunt({ dataDir: join(work, 'data'), env: { KUBECONFIG: kubeconfig, SHUNT_KUBERNETES: 'kubeconfig' } });
  disposer.add(() => shunt.stop());
  await shunt.start();
  await api.apply('crash-argo.yaml', projectManifests(PROJECT, STAGES.map((s) => ({ name: s, steps: argoSteps(gitServer.url(app(s)), s) }))));
  await api.apply('freight.yaml', freightManifest(PROJECT, '5.0.0'));
}, 180_000);

afterAll(async () => {
  await disposer.dispose();
}, 60_000);

describe('a promotion killed at the Argo CD boundaries', () => {
  it('completes, requesting each sync once, after the whole process tree is killed and started again', async () => {
    const freight = (await api.freight(PROJECT))[0]!.metadata.name;
    const beforeSync = kube.hold((_m, url) => url.includes(`/applications/${app('sync')}`), 'request');
    cluster.argocd.behave('argocd', app('wait'), { hang: true });
    const promotions = { sync: await api.promote(PROJECT, 'sync', freight), wait: await api.promote(PROJECT, 'wait', freight) };

    await beforeSync.arrived;
    // argocd-update requested the sync and waits for Argo CD to finish it.
    let seen: unknown;
    await eventually(
      async () => {
        const p = await api.promotion(PROJECT, promotions.wait);
        seen = p.status;
        return p.status.phase === 'Running' && cluster.argocd.operations.some((o) => o.name === app('wait')) ? true : undefined;
      },
      () => `the promotion to wait for Argo CD: ${JSON.stringify(seen)}`,
      300_000,
    );
    // At the kill: both pushes landed; the sync of `sync` was not requested, that of `wait` runs.
    for (const s of STAGES) expect((await promotionCommits(repoPath(repos, app(s)))).map((c) => c.promotion)).toEqual([promotions[s]]);
    expect(cluster.argocd.operations.map((o) => o.name)).toEqual([app('wait')]);

    await shunt.killTree();
    kube.releaseAll();
    // Argo CD finishes the sync while Shunt is down.
    cluster.argocd.behave('argocd', app('wait'), {});
    const running = cluster.server.get('applications', 'argocd', app('wait'))!;
    cluster.server.apply({ ...running, metadata: { ...running.metadata, labels: { touched: 'true' } } });
    await shunt.start();

    for (const s of STAGES) {
      const done = await api.finished(PROJECT, promotions[s], 600_000);
      expect([s, done.status.phase, done.status.message]).toEqual([s, 'Succeeded', undefined]);
      const commits = await promotionCommits(repoPath(repos, app(s)));
      expect(commits.map((c) => c.promotion)).toEqual([promotions[s]]);
      // Shunt wrote each Application once (sources, refresh, sync operation): the restarted
      // step followed the sync it had started instead of starting another. (The controller may
      // pick one operation up twice here: the test re-triggers it after the hang.)
      const writes = cluster.server.requests.filter((r) => r.method !== 'GET' && r.path.endsWith(`/applications/${app(s)}`));
      expect([s, writes.length]).toEqual([s, 1]);
      expect(cluster.server.get('applications', 'argocd', app(s))!['status']).toMatchObject({
        sync: { status: 'Synced', revision: commits[0]!.sha },
        health: { status: 'Healthy' },
      });
    }
  }, 900_000);
});
