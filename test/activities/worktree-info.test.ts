/** What a checkout's config says it is for, asked of git once while its config files stay as they were. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GitCommand } from '../../activities/adapters/git/git-command.js';
import { worktreeGitDir, writeShuntSetting } from '../../activities/adapters/git/worktree-config.js';
import { createWorkspace } from '../../activities/adapters/workspace.js';
import { createOrigin, Disposer, git, tempDir } from '../support/git-repos.js';
import { newGitService } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** How many `git config --get-regexp` processes ran during `fn`. */
async function configReads(fn: () => Promise<void>): Promise<number> {
  const run = GitCommand.prototype.run;
  let reads = 0;
  GitCommand.prototype.run = function counted(this: GitCommand, ...a: Parameters<typeof run>) {
    if (a[0][0] === 'config' && a[0][1] === '--get-regexp') reads++;
    return run.apply(this, a);
  };
  try {
    await fn();
  } finally {
    GitCommand.prototype.run = run;
  }
  return reads;
}

async function checkedOut() {
  const origin = await createOrigin(disposer);
  const dataDir = await tempDir(disposer);
  const ws = await createWorkspace(path.join(dataDir, 'work'), 'p1');
  const svc = newGitService(dataDir);
  const dir = ws.resolve('src');
  await svc.checkout({ repoURL: origin.url, dir, branch: 'main' });
  return { origin, svc, dir };
}

describe('worktree settings', () => {
  it('asks git once for a checkout whose config files have not changed since', async () => {
    const { origin, svc, dir } = await checkedOut();
    let first, second;
    const reads = await configReads(async () => {
      first = await svc.worktreeInfo(dir);
      second = await svc.worktreeInfo(dir);
    });
    expect(reads).toBe(1);
    expect(second).toEqual(first);
    expect(first).toMatchObject({ dir, repoURL: origin.url, branch: 'main', ref: 'branch:main' });
  });

  it('asks git again once either file changed, and answers what it says now', async () => {
    const { svc, dir } = await checkedOut();
    await svc.worktreeInfo(dir);
    // The checkout's own file (config.worktree), as Shunt writes it.
    expect(await writeShuntSetting(dir, 'branch', 'release')).toBe(true);
    let info;
    expect(await configReads(async () => void (info = await svc.worktreeInfo(dir)))).toBe(1);
    expect(info).toMatchObject({ branch: 'release' });
    // The mirror's config, as git writes it.
    const mirror = (info as unknown as { commonDir: string }).commonDir;
    await git(mirror, ['config', 'http.sslVerify', 'false']);
    expect(await configReads(async () => void (info = await svc.worktreeInfo(dir)))).toBe(1);
    expect(info).toMatchObject({ branch: 'release', insecureSkipTLSVerify: true });
  });

  it('always asks git when a config file names another file git reads too (an include)', async () => {
    const { svc, dir } = await checkedOut();
    const included = path.join(await tempDir(disposer), 'more.config');
    fs.writeFileSync(included, '[shunt]\n\tbranch = included\n');
    fs.appendFileSync(path.join(await worktreeGitDir(dir), 'config.worktree'), `[include]\n\tpath = ${included}\n`);
    let info;
    expect(
      await configReads(async () => {
        await svc.worktreeInfo(dir);
        fs.writeFileSync(included, '[shunt]\n\tbranch = changed\n');
        info = await svc.worktreeInfo(dir);
      }),
    ).toBe(2);
    expect(info).toMatchObject({ branch: 'changed' });
  });
});
