/** Parked worktrees: a released checkout is reused by the next promotion, reset to its commit. */
import { jest } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createWorkspace } from '../../activities/adapters/workspace.js';
import { GitCommand } from '../../activities/adapters/git/git-command.js';
import { POOL_PER_MIRROR } from '../../activities/adapters/git/worktree-pool.js';
import { commitToOrigin, createOrigin, Disposer, git, originHead, tempDir } from '../support/git-repos.js';
import { newGitService } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

async function setup() {
  const origin = await createOrigin(disposer);
  const dataDir = await tempDir(disposer);
  const svc = newGitService(dataDir);
  const work = path.join(dataDir, 'work');
  const poolDir = path.join(dataDir, 'git', 'pool');
  const parked = (): string[] => (fs.existsSync(poolDir) ? fs.readdirSync(poolDir).flatMap((m) => fs.readdirSync(path.join(poolDir, m))) : []);
  return { origin, svc, work, parked };
}

describe('worktree pool', () => {
  it('parks a released checkout and reuses it, reset to the new commit, with leftovers gone', async () => {
    const { origin, svc, work, parked } = await setup();
    const ws1 = await createWorkspace(work, 'p1');
    const dir1 = ws1.resolve('src');
    await svc.checkout({ repoURL: origin.url, dir: dir1, branch: 'main' });
    fs.writeFileSync(path.join(dir1, 'leftover.txt'), 'untracked');
    fs.appendFileSync(path.join(dir1, 'README.md'), 'uncommitted\n');
    await svc.releaseWorktrees(ws1.root);
    expect(parked()).toEqual(['full-0']);
    expect(fs.existsSync(dir1)).toBe(false);

    const moved = await commitToOrigin(disposer, origin, { 'new.txt': 'new\n' }, 'later');
    const ws2 = await createWorkspace(work, 'p2');
    const dir2 = ws2.resolve('src');
    const res = await svc.checkout({ repoURL: origin.url, dir: dir2, branch: 'main' });

    expect(res).toEqual({ commit: moved, reused: false, branch: 'main' });
    expect(parked()).toEqual([]);
    expect(fs.existsSync(path.join(dir2, 'leftover.txt'))).toBe(false);
    expect(fs.readFileSync(path.join(dir2, 'new.txt'), 'utf8')).toBe('new\n');
    expect((await git(dir2, ['status', '--porcelain'])).trim()).toBe('');
    expect((await git(dir2, ['config', '--worktree', 'shunt.ref'])).trim()).toBe('branch:main');
  });

  it('parks and takes a checkout without a git process for its marks: they are read and set in its config file', async () => {
    const { origin, svc, work, parked } = await setup();
    const ws1 = await createWorkspace(work, 'p1');
    await svc.checkout({ repoURL: origin.url, dir: ws1.resolve('src'), branch: 'main' });
    const run = GitCommand.prototype.run;
    const ran: string[] = [];
    const spy = jest.spyOn(GitCommand.prototype, 'run').mockImplementation(async function (this: GitCommand, ...a: Parameters<typeof run>) {
      ran.push(a[0].join(' '));
      return run.apply(this, a);
    });
    try {
      await svc.releaseWorktrees(ws1.root);
      await svc.idle();
      expect(parked()).toEqual(['full-0']);
      const ws2 = await createWorkspace(work, 'p2');
      await svc.checkout({ repoURL: origin.url, dir: ws2.resolve('src'), branch: 'main' });
      expect(parked()).toEqual([]);
    } finally {
      spy.mockRestore();
    }
    expect(ran.filter((c) => c.startsWith('config') || c.includes('--git-dir'))).toEqual([]);
    expect(ran.filter((c) => c.startsWith('worktree move'))).toHaveLength(2);
  });

  it('keeps at most POOL_PER_MIRROR parked checkouts, and only reuses one of the same sparse set', async () => {
    const { origin, svc, work, parked } = await setup();
    const spaces = await Promise.all([0, 1, 2].map((i) => createWorkspace(work, `w${i}`)));
    for (const ws of spaces) await svc.checkout({ repoURL: origin.url, dir: ws.resolve('src'), branch: 'main' });
    for (const ws of spaces) await svc.releaseWorktrees(ws.root);
    expect(parked()).toHaveLength(POOL_PER_MIRROR);

    const sparseWs = await createWorkspace(work, 'sparse');
    await svc.checkout({ repoURL: origin.url, dir: sparseWs.resolve('src'), branch: 'main', sparse: ['stages'] });
    expect(parked()).toHaveLength(POOL_PER_MIRROR);
    expect(fs.readdirSync(sparseWs.resolve('src')).sort()).toEqual(['.git', 'README.md', 'stages']);
  });

  it('a checkout that finds a worktree still marked parked on its path (crash mid-take) finishes taking it', async () => {
    const { origin, svc, work } = await setup();
    const ws = await createWorkspace(work, 'p1');
    const dir = ws.resolve('src');
    await svc.checkout({ repoURL: origin.url, dir, branch: 'main' });
    await git(dir, ['config', '--worktree', 'shunt.ref', 'parked']);
    fs.writeFileSync(path.join(dir, 'README.md'), 'stale\n');
    const res = await svc.checkout({ repoURL: origin.url, dir, branch: 'main' });
    expect(res.commit).toBe(await originHead(origin));
    expect((await git(dir, ['status', '--porcelain'])).trim()).toBe('');
  });

  it('removes a released checkout\'s leftovers in the background; a taker cleans one a dead worker left marked dirty', async () => {
    const { origin, svc, work } = await setup();
    const ws1 = await createWorkspace(work, 'p1');
    const dir1 = ws1.resolve('src');
    await svc.checkout({ repoURL: origin.url, dir: dir1, branch: 'main' });
    fs.writeFileSync(path.join(dir1, 'leftover.txt'), 'untracked');
    await svc.releaseWorktrees(ws1.root);
    await svc.idle();
    const [mirrorName] = fs.readdirSync(path.join(work, '..', 'git', 'pool'));
    const pooled = path.join(work, '..', 'git', 'pool', mirrorName as string, 'full-0');
    expect(fs.existsSync(path.join(pooled, 'leftover.txt'))).toBe(false);
    expect((await git(pooled, ['config', '--worktree', 'shunt.ref'])).trim()).toBe('parked');

    // A worker killed before its background cleaning ran: the mark says dirty, a file remains.
    await git(pooled, ['config', '--worktree', 'shunt.ref', 'parked-dirty']);
    fs.writeFileSync(path.join(pooled, 'left-by-the-dead.txt'), 'untracked');
    const ws2 = await createWorkspace(work, 'p2');
    const dir2 = ws2.resolve('src');
    await svc.checkout({ repoURL: origin.url, dir: dir2, branch: 'main' });
    expect(fs.existsSync(path.join(dir2, 'left-by-the-dead.txt'))).toBe(false);
    expect((await git(dir2, ['status', '--porcelain', '--ignored'])).trim()).toBe('');
  });
});
