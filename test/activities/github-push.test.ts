/**
 * github-push against the loopback GitHub (its Git database API and compare, in front of a real
 * repository served over git's smart HTTP): the checkout's commits reach the branch as commits
 * GitHub created, the staging ref is cleaned up, the checkout follows the branch.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CredentialStore } from '../../activities/adapters/credentials.js';
import { gitClone } from '../../activities/steps/git-clone.js';
import { gitCommit } from '../../activities/steps/git-commit.js';
import { githubPush, githubPushSettings } from '../../activities/steps/github-push.js';
import { STEP_KINDS } from '../../core/promotion/step-kinds.js';
import { commitToOrigin, createOrigin, Disposer, git, tempDir } from '../support/git-repos.js';
import { FakeGitProvider } from '../support/fake-git-provider.js';
import { createHarness, errorOf, PROMOTION, type Harness } from './harness.js';

const TOKEN = 'tok-9b8c7d6e5f';
const disposer = new Disposer();
afterEach(() => disposer.dispose());

class TokenStore implements CredentialStore {
  constructor(private readonly creds: { username?: string; password?: string } | undefined) {}
  async git() {
    return this.creds;
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

function setEnv(name: string, value: string): void {
  const before = process.env[name];
  process.env[name] = value;
  disposer.add(async () => {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  });
}

async function setup(creds: { username?: string; password?: string } | undefined = { username: 'x-access-token', password: TOKEN }) {
  const root = await tempDir(disposer, 'ghpush-');
  const origin = await createOrigin(disposer, { root: path.join(root, 'acme'), name: 'app' });
  const github = new FakeGitProvider('github', root, TOKEN);
  await github.start();
  disposer.add(() => github.stop());
  const h = await createHarness(disposer, { credentials: new TokenStore(creds) });
  const repoURL = github.repoURL('acme', 'app');
  return { origin, github, h, repoURL };
}

/** Clones main into ./src and commits `count` edits there; returns the local commits (oldest first). */
async function cloneAndCommit(h: Harness, repoURL: string, count = 1): Promise<string[]> {
  await h.run(gitClone, { repoURL, checkout: [{ path: './src', branch: 'main' }] });
  const shas: string[] = [];
  for (let i = 1; i <= count; i++) {
    await fs.promises.writeFile(path.join(h.workspace.resolve('src'), `edit-${i}.yaml`), `replicas: ${i}\n`);
    await h.run(gitCommit, { path: './src', message: `Set replicas to ${i}`, author: { name: 'Promoter', email: 'promoter@example.test' } });
    shas.push((await git(h.workspace.resolve('src'), ['rev-parse', 'HEAD'])).trim());
  }
  return shas;
}

const show = (dir: string, rev: string, format: string): Promise<string> => git(dir, ['show', '-s', `--format=${format}`, rev]).then((s) => s.trim());

describe('github-push', () => {
  it('replays the commits through the API onto the branch, keeps their authors, cleans up, follows the branch', async () => {
    const { origin, github, h, repoURL } = await setup();
    const before = (await git(origin.dir, ['rev-parse', 'main'])).trim();
    const [local] = await cloneAndCommit(h, repoURL);
    const res = await h.run(githubPush, { path: './src' });
    const main = (await git(origin.dir, ['rev-parse', 'main'])).trim();
    expect(res).toEqual({ status: 'Succeeded', output: { branch: 'main', commit: main, commitURL: `${github.base}/acme/app/commit/${main}` } });
    // GitHub made the commit: same tree, parent the old head, author, committer, dates and message
    // kept exactly (so, unsigned, it is byte for byte the local commit).
    expect(github.createdCommits).toEqual([{ sha: main, verified: false }]);
    expect(main).toBe(local);
    expect(await show(origin.dir, main, '%T %P')).toBe(`${await show(origin.dir, local as string, '%T')} ${before}`);
    expect(await show(origin.dir, main, '%an <%ae>|%s')).toBe('Promoter <promoter@example.test>|Set replicas to 1');
    // The staging ref is gone; the checkout is on the branch's new head; every call had the token.
    expect(await git(origin.dir, ['for-each-ref', 'refs/kargo'])).toBe('');
    expect((await git(h.workspace.resolve('src'), ['rev-parse', 'HEAD'])).trim()).toBe(main);
    expect(github.calls.every((c) => c.authorized)).toBe(true);
    expect(github.calls.map((c) => `${c.method} ${c.path.replace(/[0-9a-f]{40}/g, 'SHA')}`)).toEqual([
      'GET /api/v3/repos/acme/app/git/ref/heads/main',
      'GET /api/v3/repos/acme/app/compare/SHA...SHA?per_page=250',
      'POST /api/v3/repos/acme/app/git/commits',
      'PATCH /api/v3/repos/acme/app/git/refs/heads/main',
      `DELETE /api/v3/repos/acme/app/git/refs/kargo/staging/${PROMOTION}`,
    ]);
    // A re-run changes nothing.
    expect(await h.run(githubPush, { path: './src' })).toEqual(res);
    expect(github.createdCommits).toHaveLength(1);
  });

  it('integrates a branch that moved on, keeping the other commit', async () => {
    const { origin, h, repoURL } = await setup();
    await cloneAndCommit(h, repoURL);
    const theirs = await commitToOrigin(disposer, origin, { 'other.txt': 'x\n' }, 'Someone else');
    const res = await h.run(githubPush, { path: './src' });
    const main = (await git(origin.dir, ['rev-parse', 'main'])).trim();
    expect(res).toMatchObject({ status: 'Succeeded', output: { branch: 'main', commit: main } });
    expect(await show(origin.dir, main, '%P|%s')).toBe(`${theirs}|Set replicas to 1`);
  });

  it('a branch that moves between the compare and the update is integrated and pushed again', async () => {
    const { origin, github, h, repoURL } = await setup();
    await cloneAndCommit(h, repoURL);
    let theirs = '';
    github.beforeRefUpdate = async () => {
      theirs = await commitToOrigin(disposer, origin, { 'other.txt': 'x\n' }, 'Someone else');
    };
    const res = await h.run(githubPush, { path: './src' });
    const main = (await git(origin.dir, ['rev-parse', 'main'])).trim();
    expect(res).toMatchObject({ status: 'Succeeded', output: { commit: main } });
    expect(await show(origin.dir, main, '%P|%s')).toBe(`${theirs}|Set replicas to 1`);
    expect(github.calls.filter((c) => c.method === 'PATCH')).toHaveLength(2);
  });

  it('with nothing new locally, follows the branch and creates nothing', async () => {
    const { origin, github, h, repoURL } = await setup();
    await h.run(gitClone, { repoURL, checkout: [{ path: './src', branch: 'main' }] });
    const theirs = await commitToOrigin(disposer, origin, { 'other.txt': 'x\n' }, 'Someone else');
    expect(await h.run(githubPush, { path: './src' })).toMatchObject({ status: 'Succeeded', output: { branch: 'main', commit: theirs } });
    expect(github.createdCommits).toHaveLength(0);
    expect((await git(origin.dir, ['rev-parse', 'main'])).trim()).toBe(theirs);
  });

  it('generateTargetBranch creates kargo/promotion/<promotion>; several commits keep their order', async () => {
    const { origin, github, h, repoURL } = await setup();
    await cloneAndCommit(h, repoURL, 2);
    const res = await h.run(githubPush, { path: './src', generateTargetBranch: true });
    const branch = `kargo/promotion/${PROMOTION}`;
    const head = (await git(origin.dir, ['rev-parse', `refs/heads/${branch}`])).trim();
    expect(res).toMatchObject({ status: 'Succeeded', output: { branch, commit: head } });
    expect((await git(origin.dir, ['log', '--format=%s', `main..${branch}`])).trim().split('\n')).toEqual(['Set replicas to 2', 'Set replicas to 1']);
    expect(github.calls.some((c) => c.method === 'POST' && c.path.endsWith('/git/refs'))).toBe(true);
  });

  it('with the operator opting in, every commit is GitHub-signed, its author kept as Co-authored-by', async () => {
    setEnv('SHUNT_GITHUB_PUSH_VERIFY_UNTRUSTED_COMMITS', 'true');
    const { origin, github, h, repoURL } = await setup();
    await cloneAndCommit(h, repoURL);
    await h.run(githubPush, { path: './src' });
    const main = (await git(origin.dir, ['rev-parse', 'main'])).trim();
    expect(github.createdCommits).toEqual([{ sha: main, verified: true }]);
    expect(await show(origin.dir, main, '%an|%B')).toBe(
      `shunt-app[bot]|Set replicas to 1\n\nShunt-Promotion: ${PROMOTION}\nCo-authored-by: Promoter <promoter@example.test>`,
    );
  });

  it('refuses more commits than SHUNT_GITHUB_PUSH_MAX_REVISIONS, leaving the branch and no staging ref', async () => {
    setEnv('SHUNT_GITHUB_PUSH_MAX_REVISIONS', '1');
    const { origin, h, repoURL } = await setup();
    const before = (await git(origin.dir, ['rev-parse', 'main'])).trim();
    await cloneAndCommit(h, repoURL, 2);
    const err = await errorOf(h.run(githubPush, { path: './src' }));
    expect(err.message).toMatch(/^2 commits to replay from [0-9a-f]{40} to [0-9a-f]{40}: more than the 1 allowed \(SHUNT_GITHUB_PUSH_MAX_REVISIONS\)$/);
    expect((await git(origin.dir, ['rev-parse', 'main'])).trim()).toBe(before);
    expect(await git(origin.dir, ['for-each-ref', 'refs/kargo'])).toBe('');
  });

  it('needs a token, a checkout, and a config Kargo accepts; it is a registered step kind', async () => {
    const { h, repoURL } = await setup({ username: 'git' });
    await cloneAndCommit(h, repoURL);
    expect((await errorOf(h.run(githubPush, { path: './src' }))).message).toMatch(/have no password\/token; github-push needs one for the GitHub API$/);
    expect((await errorOf(h.run(githubPush, { path: './nothing' }))).message).toBe('path "./nothing" is not a git checkout (run git-clone first)');
    expect(githubPush.config.safeParse({ path: 'src', targetBranch: 'x', generateTargetBranch: true }).success).toBe(false);
    expect(githubPush.config.safeParse({ targetBranch: 'x' }).success).toBe(false);
    expect(githubPush.config.safeParse({ path: 'src', maxAttempts: 0 }).success).toBe(false);
    expect(githubPush.config.safeParse({ path: 'src', provider: 'github' }).success).toBe(false);
    expect(STEP_KINDS).toContain('github-push');
  });

  it('names a wrong operator setting (checked when the worker starts)', () => {
    expect(githubPushSettings({})).toEqual({ maxRevisions: 10, verifyUntrusted: false });
    expect(githubPushSettings({ SHUNT_GITHUB_PUSH_MAX_REVISIONS: '25', SHUNT_GITHUB_PUSH_VERIFY_UNTRUSTED_COMMITS: 'TRUE' })).toEqual({ maxRevisions: 25, verifyUntrusted: true });
    expect(() => githubPushSettings({ SHUNT_GITHUB_PUSH_MAX_REVISIONS: '0' })).toThrow('SHUNT_GITHUB_PUSH_MAX_REVISIONS must be a positive integer, got "0"');
    expect(() => githubPushSettings({ SHUNT_GITHUB_PUSH_VERIFY_UNTRUSTED_COMMITS: 'yes' })).toThrow('SHUNT_GITHUB_PUSH_VERIFY_UNTRUSTED_COMMITS must be true or false, got "yes"');
  });
});
