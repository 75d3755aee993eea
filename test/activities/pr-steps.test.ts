/**
 * git-open-pr, git-wait-for-pr and git-merge-pr against our own loopback GitHub and GitLab API
 * servers (their REST wire format) in front of real repositories served over git's smart HTTP.
 */
import * as path from 'node:path';
import type { CredentialStore } from '../../activities/adapters/credentials.js';
import { gitMergePr } from '../../activities/steps/git-merge-pr.js';
import { gitOpenPr } from '../../activities/steps/git-open-pr.js';
import { gitWaitForPr } from '../../activities/steps/git-wait-for-pr.js';
import { commitToOrigin, createOrigin, Disposer, git, tempDir } from '../support/git-repos.js';
import { FakeGitProvider } from '../support/fake-git-provider.js';
import { createHarness, errorOf } from './harness.js';

const TOKEN = 'tok-3f9a1c2b7e';
const disposer = new Disposer();
afterEach(() => disposer.dispose());

class TokenStore implements CredentialStore {
  constructor(private readonly token: string | undefined) {}
  async git() {
    return this.token ? { username: 'shunt', password: this.token } : undefined;
  }
  async image() {
    return undefined;
  }
  async helm() {
    return undefined;
  }
  async secret() {
    return {};
  }
}

async function setup(kind: 'github' | 'gitlab', token: string | undefined = TOKEN) {
  const root = await tempDir(disposer, 'provider-');
  const origin = await createOrigin(disposer, { root: path.join(root, 'acme'), name: 'app' });
  await commitToOrigin(disposer, origin, { 'env/dev/values.yaml': 'tag: 2.0.0\n' }, 'Promote 2.0.0 to dev', 'kargo/promotion/p1');
  const provider = new FakeGitProvider(kind, root, TOKEN);
  await provider.start();
  disposer.add(() => provider.stop());
  const h = await createHarness(disposer, { credentials: new TokenStore(token) });
  return { origin, provider, h, repoURL: provider.repoURL('acme', 'app') };
}

describe.each(['github', 'gitlab'] as const)('pull request steps on %s', (kind) => {
  it('opens a request (title from the head commit, labels), adopts it on a re-run, waits, merges', async () => {
    const { provider, h, repoURL, origin } = await setup(kind);
    const open = { repoURL, provider: kind, sourceBranch: 'kargo/promotion/p1', targetBranch: 'main', labels: ['promotion'] };
    const opened = await h.run(gitOpenPr, open);
    const url = kind === 'github' ? `${provider.base}/acme/app/pull/1` : `${provider.base}/acme/app/-/merge_requests/1`;
    expect(opened).toEqual({ status: 'Succeeded', output: { pr: { id: 1, url }, prNumber: 1 } });
    expect(provider.pull(1)).toMatchObject({ title: 'Promote 2.0.0 to dev', labels: ['promotion'], head: 'kargo/promotion/p1', base: 'main' });
    expect(provider.calls.every((c) => c.authorized)).toBe(true);

    expect(await h.run(gitOpenPr, open)).toEqual(opened);
    expect(provider.pulls).toHaveLength(1);

    const wait = { repoURL, provider: kind, prNumber: '1', pollInterval: '5s' };
    expect(await h.run(gitWaitForPr, wait)).toEqual({
      status: 'Running',
      retryAfter: '5s',
      output: { pr: { id: 1, url, open: true, merged: false } },
      message: `waiting for ${url} to be merged`,
    });

    const merged = await h.run(gitMergePr, { repoURL, provider: kind, prNumber: 1, mergeMethod: 'squash' });
    const sha = provider.pull(1).mergeSHA!;
    expect(merged).toEqual({ status: 'Succeeded', output: { commit: sha } });
    expect((await git(origin.dir, ['rev-parse', 'refs/heads/main'])).trim()).toBe(sha);
    expect(await h.run(gitMergePr, { repoURL, provider: kind, prNumber: 1 })).toEqual(merged);
    expect(await h.run(gitWaitForPr, wait)).toEqual({
      status: 'Succeeded',
      output: { commit: sha, pr: { id: 1, url, open: false, merged: true } },
    });
  });

  it('skips when the branches do not differ, and fails for a missing target branch', async () => {
    const { h, repoURL } = await setup(kind);
    const same = await h.run(gitOpenPr, { repoURL, provider: kind, sourceBranch: 'main', targetBranch: 'main' });
    expect(same).toEqual({ status: 'Skipped', message: 'no difference between main and main; nothing to propose' });
    const err = await errorOf(h.run(gitOpenPr, { repoURL, provider: kind, sourceBranch: 'kargo/promotion/p1', targetBranch: 'release' }));
    expect(err.message).toBe('target branch "release" does not exist');
  });

  it('fails a request closed without merging, and one that cannot be merged unless wait', async () => {
    const { provider, h, repoURL } = await setup(kind);
    await h.run(gitOpenPr, { repoURL, provider: kind, sourceBranch: 'kargo/promotion/p1', targetBranch: 'main' });
    provider.pull(1).mergeable = false;
    const notMergeable = await errorOf(h.run(gitMergePr, { repoURL, provider: kind, prNumber: 1 }));
    expect(notMergeable.code).toBe('StepFailed');
    expect(notMergeable.message).toMatch(/cannot be merged: .*answered with status 40[56]/);
    const waiting = await h.run(gitMergePr, { repoURL, provider: kind, prNumber: 1, wait: true });
    expect(waiting).toMatchObject({ status: 'Running', retryAfter: '10s' });

    provider.pull(1).state = 'closed';
    const closed = await errorOf(h.run(gitWaitForPr, { repoURL, provider: kind, prNumber: 1 }));
    expect(closed.message).toMatch(/was closed without being merged$/);
    expect((await errorOf(h.run(gitMergePr, { repoURL, provider: kind, prNumber: 1 }))).message).toMatch(/is closed and cannot be merged$/);
    expect((await errorOf(h.run(gitWaitForPr, { repoURL, provider: kind, prNumber: 9 }))).message).toMatch(/does not exist$/);
  });

  it('says to check the credentials when the API refuses them, without showing the token', async () => {
    const { h, repoURL } = await setup(kind, 'wrong-token-value');
    const err = await errorOf(h.run(gitWaitForPr, { repoURL, provider: kind, prNumber: 1 }));
    expect(err.code).toBe('StepFailed');
    expect(err.message).toMatch(/answered with status 401: .*check the git credentials of this repository/);
    expect(err.message).not.toContain('wrong-token-value');
  });
});

describe('pull request step config', () => {
  it('needs a provider it can infer or is told, and one it speaks', async () => {
    const h = await createHarness(disposer, { credentials: new TokenStore(TOKEN) });
    const unknown = await errorOf(h.run(gitWaitForPr, { repoURL: 'https://git.example.com/a/b.git', prNumber: 1 }));
    expect(unknown.message).toBe('cannot tell the git provider of "https://git.example.com/a/b.git" from its host; set provider (github or gitlab)');
    const gitea = await errorOf(h.run(gitWaitForPr, { repoURL: 'https://git.example.com/a/b.git', prNumber: 1, provider: 'gitea' }));
    expect(gitea.message).toBe('git provider "gitea" is not supported yet; Shunt speaks github and gitlab');
    expect(() => gitWaitForPr.config.parse({ repoURL: 'x', prNumber: 'one' })).toThrow(/expected a pull request number/);
    expect(() => gitOpenPr.config.parse({ repoURL: 'x', sourceBranch: 'a' })).toThrow();
    expect(() => gitMergePr.config.parse({ repoURL: 'x', prNumber: 1, provider: 'svn' })).toThrow();
  });
});
