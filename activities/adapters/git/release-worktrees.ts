import * as fs from 'node:fs';
import * as path from 'node:path';
import { isInside } from '../path-inside.js';
import type { GitCommand } from './git-command.js';
import type { Mirrors } from './mirror.js';
import { forgetSigningKey } from './signing.js';
import type { WorktreePool } from './worktree-pool.js';
import { worktreeEntries } from './worktree-entry.js';

/**
 * Releases every worktree under `root` in every mirror: parked in `pool` for the next promotion
 * while it has room (its leftovers removed in the background), else deleted. Idempotent. The
 * caller deletes `root` itself afterwards.
 *
 * A deleted worktree's entry in the mirror is removed directly, as `git worktree prune` would
 * once its files are gone, and its files after the mirror's lock is released: with the lock
 * held, every other promotion of the repository waits. Entries of worktrees gone without a
 * release are pruneMirrors' job.
 */
export async function releaseWorktrees(mirrors: Mirrors, root: string, pool?: WorktreePool): Promise<void> {
  const roots = new Set([path.resolve(root)]);
  try {
    roots.add(fs.realpathSync(root));
  } catch {
    /* already gone */
  }
  const within = (p: string): boolean => [...roots].some((r) => isInside(r, p));
  for (const mirror of await mirrors.list()) {
    /** This workspace's worktrees, by their entry in the mirror. */
    const mine = new Map<string, string>();
    for (const { entry, dotGit } of worktreeEntries(mirror)) {
      const wt = path.dirname(dotGit);
      if (within(wt)) mine.set(wt, entry);
    }
    if (mine.size === 0) continue;
    const parked: string[] = [];
    const removed: string[] = [];
    await mirrors.withLock(mirror, async () => {
      // Deepest first, so a checkout nested in another is gone before its parent is parked.
      for (const wt of [...mine.keys()].sort((a, b) => b.length - a.length)) {
        await forgetSigningKey(wt);
        let dest: string | undefined;
        if (pool && fs.existsSync(wt)) {
          // A checkout nested in this one, deleted above, does not go into the pool with it.
          for (const inner of removed) if (isInside(wt, inner)) await removeFiles(inner);
          dest = await pool.park(mirror, wt);
        }
        if (dest) {
          parked.push(dest);
          continue;
        }
        await removeFiles(mine.get(wt)!);
        removed.push(wt);
      }
    });
    for (const wt of removed) await removeFiles(wt);
    for (const dest of parked) pool?.cleanLater(dest);
  }
}

/**
 * `git worktree prune` in every mirror: the entries of worktrees deleted without a release (a
 * data dir's work folder removed by hand, a crash in the middle of a release). Once, when a
 * worker starts, after it released the workspaces its earlier run left; a checkout at a path
 * such an entry names prunes by itself (checkout.ts).
 */
export async function pruneMirrors(git: GitCommand, mirrors: Mirrors): Promise<void> {
  for (const mirror of await mirrors.list()) {
    if (!fs.existsSync(path.join(mirror, 'worktrees'))) continue;
    await mirrors.withLock(mirror, () => git.run(['worktree', 'prune'], { cwd: mirror, allowFailure: true }));
  }
}

async function removeFiles(dir: string): Promise<void> {
  await fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
