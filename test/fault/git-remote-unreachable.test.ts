/**
 * Fault: the GitOps repository's server unreachable, then back. The repository is served over
 * smart HTTP through a proxy the test takes down (connections reset). Shunt (worker and api
 * in-process, real Temporal) reports each failed attempt on the step, tries again within the
 * step's error threshold, and once the server is back the promotion completes with exactly
 * one commit; with Kargo's default threshold of 1 the promotion ends Errored with a message
 * naming the repository, and pushes nothing.
 */
import { GatedProxy } from '../support/gated-proxy.js';
import { GitHttpServer } from '../support/git-server.js';
import { Disposer, tempDir } from '../support/git-repos.js';
import {
  deployedTag,
  freightManifest,
  gitopsRepo,
  projectManifests,
  promotionCommits,
  promotionSteps,
  repoPath,
} from '../support/gitops-fixture.js';
import { eventually } from '../support/poll.js';
import { ShuntApi } from '../support/shunt-api.js';
import { startShuntStack, type ShuntStack } from '../support/shunt-stack.js';

const PROJECT = 'flaky';
const disposer = new Disposer();
let stack: ShuntStack;
let proxy: GatedProxy;
let repos: string;
const api = new ShuntApi(() => stack.url);
const freight: Record<string, string> = {};

/** Waits until the running promotion's step `uses` has failed at least once; returns its message. */
async function stepFailedOnce(name: string, uses: string): Promise<string> {
  return eventually(async () => {
    const p = await api.promotion(PROJECT, name);
    const step = p.status.stepExecutionMetadata?.find((s) => s.uses === uses);
    return p.status.phase === 'Running' && step && step.errorCount >= 1 ? (step.message ?? '') : undefined;
  }, `step ${uses} of ${name} to fail while the remote is down`);
}

beforeAll(async () => {
  repos = await tempDir(disposer, 'shunt-flaky-');
  for (const s of ['patient', 'strict', 'push']) await gitopsRepo(disposer, repos, `flaky-${s}`, [s]);
  const server = new GitHttpServer({ root: repos });
  await server.start();
  disposer.add(() => server.stop());
  proxy = new GatedProxy(server.baseURL);
  await proxy.start();
  disposer.add(() => proxy.stop());
  stack = await startShuntStack({ namespace: 'fault-git' });
  disposer.add(() => stack.stop());
  const url = (name: string): string => `${proxy.baseURL}/${name}.git`;
  await api.apply(
    'flaky.yaml',
    projectManifests(PROJECT, [
      { name: 'patient', steps: promotionSteps(url('flaky-patient'), 'patient', { errorThreshold: 20 }) },
      { name: 'strict', steps: promotionSteps(url('flaky-strict'), 'strict') },
      { name: 'push', steps: promotionSteps(url('flaky-push'), 'push', { errorThreshold: 20 }) },
    ]),
  );
  for (const tag of ['3.0.0', '3.0.1']) {
    await api.apply(`freight-${tag}.yaml`, freightManifest(PROJECT, tag));
    freight[tag] = (await api.freight(PROJECT)).find((f) => f.images[0]?.tag === tag)!.metadata.name;
  }
}, 120_000);

afterAll(async () => {
  proxy?.up();
  await disposer.dispose();
}, 60_000);

afterEach(() => {
  proxy.releaseAll();
  proxy.up();
});

describe('the git remote unreachable, then back', () => {
  it('retries the clone within the error threshold and completes once the remote is back', async () => {
    proxy.down();
    const name = await api.promote(PROJECT, 'patient', freight['3.0.0']!);
    expect(await stepFailedOnce(name, 'git-clone')).toContain(`${proxy.baseURL}/flaky-patient.git`);
    proxy.up();
    const done = await api.finished(PROJECT, name);
    expect([done.status.phase, done.status.message]).toEqual(['Succeeded', undefined]);
    expect((await promotionCommits(repoPath(repos, 'flaky-patient'))).map((c) => c.promotion)).toEqual([name]);
    expect(await deployedTag(repoPath(repos, 'flaky-patient'), 'patient')).toBe('3.0.0');
  });

  it("with Kargo's default threshold, ends Errored naming the repository, then a new promotion succeeds", async () => {
    proxy.down();
    const failed = await api.finished(PROJECT, await api.promote(PROJECT, 'strict', freight['3.0.0']!));
    expect(failed.status.phase).toBe('Errored');
    expect(failed.status.message).toMatch(/^step "step-\d+" \(git-clone\) errored: /);
    expect(failed.status.message).toContain(`${proxy.baseURL}/flaky-strict.git`);
    expect(await promotionCommits(repoPath(repos, 'flaky-strict'))).toEqual([]);

    proxy.up();
    const name = await api.promote(PROJECT, 'strict', freight['3.0.0']!);
    const done = await api.finished(PROJECT, name);
    expect(done.status.phase).toBe('Succeeded');
    expect((await promotionCommits(repoPath(repos, 'flaky-strict'))).map((c) => c.promotion)).toEqual([name]);
  });

  it('retries a push cut off by the outage and pushes the commit once', async () => {
    const push = proxy.hold((m, url) => m === 'GET' && url === '/flaky-push.git/info/refs?service=git-receive-pack', 'request');
    const name = await api.promote(PROJECT, 'push', freight['3.0.1']!);
    await push.arrived;
    // The commit is made; the remote goes away as the push begins.
    proxy.down();
    push.release();
    expect(await stepFailedOnce(name, 'git-push')).toContain(`${proxy.baseURL}/flaky-push.git`);
    proxy.up();
    const done = await api.finished(PROJECT, name);
    expect([done.status.phase, done.status.message]).toEqual(['Succeeded', undefined]);
    expect((await promotionCommits(repoPath(repos, 'flaky-push'))).map((c) => c.promotion)).toEqual([name]);
    expect(await deployedTag(repoPath(repos, 'flaky-push'), 'push')).toBe('3.0.1');
  });
});
