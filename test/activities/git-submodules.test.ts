/**
 * Issue 18, submodules: git-clone's `recurseSubmodules` checks out each submodule (recursively)
 * from the worker's mirror of its own repository with the credentials of its own URL; a
 * `.gitmodules` the tenant wrote cannot make the worker read a local repository (unless the
 * operator allows it), run a command, or write outside the checkout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CredentialStore, RepoCredentials } from '../../activities/adapters/credentials.js';
import { GitService } from '../../activities/adapters/git/index.js';
import { resolveSubmoduleURL } from '../../activities/adapters/git/submodules.js';
import { gitClone } from '../../activities/steps/git-clone.js';
import { gitCommit } from '../../activities/steps/git-commit.js';
import { gitPush } from '../../activities/steps/git-push.js';
import { createOrigin, Disposer, git, hermeticEnv, originFile, tempDir, type Origin } from '../support/git-repos.js';
import { createHarness } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** Commits `.gitmodules` text `modules` and gitlinks (path → commit) to the origin's main branch. */
async function addGitlinks(origin: Origin, modules: string, links: Record<string, string>): Promise<void> {
  const work = await tempDir(disposer, 'shunt-super-');
  await git(work, ['clone', '--quiet', origin.url, '.']);
  fs.writeFileSync(path.join(work, '.gitmodules'), modules);
  await git(work, ['add', '.gitmodules']);
  for (const [p, sha] of Object.entries(links)) await git(work, ['update-index', '--add', '--cacheinfo', `160000,${sha},${p}`]);
  await git(work, ['commit', '--quiet', '-m', 'submodules']);
  await git(work, ['push', '--quiet', 'origin', 'HEAD:main']);
}

async function head(origin: Origin): Promise<string> {
  return (await git(origin.dir, ['rev-parse', 'main'])).trim();
}

/** A store that records which URLs it was asked about. */
class RecordingStore implements CredentialStore {
  readonly asked: string[] = [];
  async git(url: string): Promise<RepoCredentials | undefined> {
    this.asked.push(url);
    return undefined;
  }
  async image(): Promise<RepoCredentials | undefined> {
    return undefined;
  }
  async helm(): Promise<RepoCredentials | undefined> {
    return undefined;
  }
  async secret(): Promise<Record<string, string>> {
    return {};
  }
}

async function harness(allowLocal: boolean, credentials = new RecordingStore()) {
  const dataDir = await tempDir(disposer, 'shunt-data-');
  const env = hermeticEnv(allowLocal ? { SHUNT_GIT_SUBMODULES_ALLOW_LOCAL: 'true' } : {});
  const svc = new GitService({ dataDir, env, pushBackoffMs: 10 });
  return { h: await createHarness(disposer, { dataDir, git: svc, credentials }), credentials };
}

describe('git-clone recurseSubmodules', () => {
  it('checks out nested submodules at their gitlinks (relative URLs), each URL asking for its own credentials; commit and push still work', async () => {
    const root = await tempDir(disposer, 'shunt-origins-');
    const leaf = await createOrigin(disposer, { root, name: 'leaf', files: { 'leaf.txt': 'leaf\n' } });
    const lib = await createOrigin(disposer, { root, name: 'lib', files: { 'lib.txt': 'lib\n' } });
    await addGitlinks(lib, '[submodule "leaf"]\n\tpath = deps/leaf\n\turl = ../leaf.git\n', { 'deps/leaf': await head(leaf) });
    const sup = await createOrigin(disposer, { root, name: 'super' });
    await addGitlinks(sup, '[submodule "lib"]\n\tpath = libs/lib\n\turl = ../lib.git\n', { 'libs/lib': await head(lib) });

    const { h, credentials } = await harness(true);
    const res = await h.run(gitClone, { repoURL: sup.url, checkout: [{ path: 'src', branch: 'main' }], recurseSubmodules: true });
    expect(res.status).toBe('Succeeded');
    const src = h.workspace.resolve('src');
    expect(fs.readFileSync(path.join(src, 'libs/lib/lib.txt'), 'utf8')).toBe('lib\n');
    expect(fs.readFileSync(path.join(src, 'libs/lib/deps/leaf/leaf.txt'), 'utf8')).toBe('leaf\n');
    expect(credentials.asked).toEqual([sup.url, lib.url, leaf.url]);

    // A re-run reuses everything; the superproject still commits and pushes its own change.
    expect((await h.run(gitClone, { repoURL: sup.url, checkout: [{ path: 'src', branch: 'main' }], recurseSubmodules: true })).status).toBe('Succeeded');
    fs.writeFileSync(path.join(src, 'README.md'), 'changed\n');
    await h.run(gitCommit, { path: 'src', message: 'change beside submodules' });
    expect((await h.run(gitPush, { path: 'src' })).status).toBe('Succeeded');
    expect(await originFile(sup, 'README.md')).toBe('changed\n');
    expect((await git(sup.dir, ['ls-tree', 'main', 'libs/lib'])).trim()).toMatch(new RegExp(`^160000 commit ${await head(lib)}`));
    await h.git.releaseWorktrees(h.workspace.root);
  });

  it('a local submodule URL is refused unless the operator allows local submodules', async () => {
    const root = await tempDir(disposer, 'shunt-origins-');
    const secret = await createOrigin(disposer, { root, name: 'secret', files: { 'secret.txt': 'do not read\n' } });
    const sup = await createOrigin(disposer, { root, name: 'super' });
    await addGitlinks(sup, `[submodule "x"]\n\tpath = x\n\turl = ${secret.dir}\n`, { x: await head(secret) });
    const { h } = await harness(false);
    await expect(h.run(gitClone, { repoURL: sup.url, checkout: [{ path: 'src', branch: 'main' }], recurseSubmodules: true })).rejects.toThrow(
      /submodule "x" \(.*secret\.git\): a local repository URL is not allowed \(the operator allows them with SHUNT_GIT_SUBMODULES_ALLOW_LOCAL=true\)/,
    );
    expect(fs.existsSync(path.join(h.workspace.resolve('src'), 'x', 'secret.txt'))).toBe(false);
  });

  it('refuses .gitmodules paths that leave the checkout or name .git, and ext:: URLs', async () => {
    const root = await tempDir(disposer, 'shunt-origins-');
    const lib = await createOrigin(disposer, { root, name: 'lib' });
    const sha = await head(lib);
    const cases: [string, RegExp][] = [
      ['[submodule "up"]\n\tpath = ../../outside\n\turl = ../lib.git\n', /submodule "up": path "..\/..\/outside" is not a plain relative path inside the checkout/],
      ['[submodule "dotgit"]\n\tpath = .git/hooks\n\turl = ../lib.git\n', /submodule "dotgit": path ".git\/hooks" is not a plain relative path/],
      ['[submodule "abs"]\n\tpath = /tmp/abs\n\turl = ../lib.git\n', /submodule "abs": path "\/tmp\/abs" is not a plain relative path/],
      ['[submodule "ext"]\n\tpath = x\n\turl = ext::sh -c touch% /tmp/pwned\n', /the transport::address form is not allowed/],
    ];
    for (const [modules, expected] of cases) {
      const sup = await createOrigin(disposer, { root, name: `super-${cases.findIndex((c) => c[0] === modules)}` });
      await addGitlinks(sup, modules, { x: sha });
      const { h } = await harness(true);
      await expect(h.run(gitClone, { repoURL: sup.url, checkout: [{ path: 'src', branch: 'main' }], recurseSubmodules: true })).rejects.toThrow(expected);
    }
  });

  it('resolves relative submodule URLs as git does', () => {
    expect(resolveSubmoduleURL('https://example.test/org/app.git', '../lib.git')).toBe('https://example.test/org/lib.git');
    expect(resolveSubmoduleURL('git@example.test:org/app.git', '../lib.git')).toBe('git@example.test:org/lib.git');
    expect(resolveSubmoduleURL('git@example.test:app.git', '../lib.git')).toBe('git@example.test:lib.git');
    expect(resolveSubmoduleURL('ssh://git@example.test/org/app', './sub')).toBe('ssh://git@example.test/org/app/sub');
    expect(resolveSubmoduleURL('https://example.test/a/b', 'https://other.test/x')).toBe('https://other.test/x');
    expect(() => resolveSubmoduleURL('https://example.test/app', '../../x')).toThrow(/climbs above/);
    expect(() => resolveSubmoduleURL('git@example.test:app.git', '../../x')).toThrow(/climbs above/);
    expect(resolveSubmoduleURL('file:///srv/git/app.git', '../lib.git')).toBe('file:///srv/git/lib.git');
  });
});
