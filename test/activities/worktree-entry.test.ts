/** A worktree's entry in the mirror, written without git: what git itself then makes of it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { addWorktreeEntry } from '../../activities/adapters/git/worktree-entry.js';
import { commitToOrigin, createOrigin, Disposer, git, tempDir, type Origin } from '../support/git-repos.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** A bare mirror of a fresh origin set up as mirror.ts sets one up (worktree config on), and its main branch's commit. */
async function mirrorOf(): Promise<{ mirror: string; head: string; root: string; origin: Origin }> {
  const origin = await createOrigin(disposer);
  const root = await tempDir(disposer);
  const mirror = path.join(root, 'mirror.git');
  await git(root, ['clone', '--quiet', '--bare', origin.url, mirror]);
  await git(mirror, ['config', 'extensions.worktreeConfig', 'true']);
  await git(mirror, ['config', '--unset', 'core.bare']);
  await git(mirror, ['config', '--worktree', 'core.bare', 'true']);
  const head = (await git(mirror, ['rev-parse', 'main'])).trim();
  return { mirror, head, root, origin };
}

/** `git worktree list --porcelain`, as worktree path → its lines. */
async function listed(mirror: string): Promise<Map<string, string[]>> {
  const blocks = (await git(mirror, ['worktree', 'list', '--porcelain'])).trim().split('\n\n');
  return new Map(blocks.map((b) => b.split('\n')).map((lines) => [lines[0]!.replace(/^worktree /, ''), lines.slice(1)]));
}

describe('addWorktreeEntry', () => {
  it('registers a detached worktree git lists, checks out, commits in and keeps through a prune', async () => {
    const { mirror, head, root } = await mirrorOf();
    const dir = path.join(root, 'work', 'p1', 'src');

    addWorktreeEntry(mirror, dir, head);

    expect((await listed(mirror)).get(dir)).toEqual([`HEAD ${head}`, 'detached']);
    expect(fs.readdirSync(dir)).toEqual(['.git']);
    await git(dir, ['checkout', '--quiet', '--force', '--detach', head]);
    expect(fs.existsSync(path.join(dir, 'README.md'))).toBe(true);
    expect(await git(dir, ['status', '--porcelain'])).toBe('');
    await git(dir, ['config', '--worktree', 'user.name', 'someone']);
    expect((await git(mirror, ['config', '--get', 'user.name']).catch(() => ''))).toBe('');
    await git(dir, ['commit', '--quiet', '--allow-empty', '-m', 'in the worktree']);
    expect((await git(dir, ['rev-parse', 'HEAD^'])).trim()).toBe(head);
    await git(mirror, ['worktree', 'prune']);
    expect((await listed(mirror)).has(dir)).toBe(true);
    // Deleted without a release: prune drops it, as it drops what `worktree add` made.
    fs.rmSync(dir, { recursive: true });
    await git(mirror, ['worktree', 'prune']);
    expect((await listed(mirror)).has(dir)).toBe(false);
  });

  it('gives worktrees of the same folder name entries of their own', async () => {
    const { mirror, head, root } = await mirrorOf();
    const dirs = ['a', 'b', 'c'].map((w) => path.join(root, 'work', w, 'src'));

    for (const dir of dirs) addWorktreeEntry(mirror, dir, head);

    expect(fs.readdirSync(path.join(mirror, 'worktrees')).sort()).toEqual(['src', 'src1', 'src2']);
    const worktrees = await listed(mirror);
    for (const dir of dirs) expect(worktrees.get(dir)).toEqual([`HEAD ${head}`, 'detached']);
  });

  it('replaces the entry a worktree deleted without a release left at the same path, as prune would', async () => {
    const { mirror, head, root } = await mirrorOf();
    const dir = path.join(root, 'work', 'p1', 'src');
    addWorktreeEntry(mirror, dir, head);
    fs.rmSync(dir, { recursive: true });

    addWorktreeEntry(mirror, dir, head);

    const entries = fs.readdirSync(path.join(mirror, 'worktrees'));
    expect(entries).toHaveLength(1);
    expect(fs.readFileSync(path.join(mirror, 'worktrees', entries[0]!, 'gitdir'), 'utf8')).toBe(`${path.join(dir, '.git')}\n`);
    expect((await listed(mirror)).get(dir)).toEqual([`HEAD ${head}`, 'detached']);
  });

  it('leaves a fetch of new commits into the mirror (which reads every worktree\'s HEAD) working beside its worktrees', async () => {
    const { mirror, head, root, origin } = await mirrorOf();
    for (const w of ['a', 'b']) addWorktreeEntry(mirror, path.join(root, 'work', w, 'src'), head);
    const next = await commitToOrigin(disposer, origin, { 'next.txt': 'next\n' }, 'next');

    await git(mirror, ['fetch', '--quiet', 'origin', '+refs/heads/*:refs/heads/*']);

    expect((await git(mirror, ['rev-parse', 'main'])).trim()).toBe(next);
    expect((await git(mirror, ['fsck', '--no-progress'])).trim()).toBe('');
  });

  it('refuses what is not a full commit id (an abbreviation, a ref name, an option), writing nothing', async () => {
    const { mirror, head, root } = await mirrorOf();
    const dir = path.join(root, 'work', 'p1', 'src');

    for (const bad of [head.slice(0, 12), 'main', '--orphan', `${head}\n`]) {
      expect(() => addWorktreeEntry(mirror, dir, bad)).toThrow(/is not a full commit id/);
    }
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.existsSync(path.join(mirror, 'worktrees'))).toBe(false);
  });
});
