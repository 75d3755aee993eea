import * as fs from 'node:fs';
import * as path from 'node:path';
import { isInside } from '../path-inside.js';
import type { GitCommand } from './git-command.js';
import type { Mirrors } from './mirror.js';
import { forgetSigningKey } from './signing.js';
import type { WorktreePool } from './worktree-pool.js';

/**
 * Releases every worktree under `root` in every mirror: parked in `pool` for the next promotion
 * while it has room (its leftovers removed in the background), else deleted and the mirror pruned. Idempotent. The caller deletes `root`
 * itself afterwards.
 */
export async function releaseWorktrees(git: GitCommand, mirrors: Mirrors, root: string, pool?: WorktreePool): Promise<void> {
  const roots = new Set([path.resolve(root)]);
  try {
    roots.add(fs.realpathSync(root));
  } catch {
    /* already gone */
  }
  const within = (p: string): boolean => [...roots].some((r) => isInside(r, p));
  let names: string[];
  try {
    names = (await fs.promises.readdir(mirrors.root)).filter((n) => n.endsWith('.git'));
  } catch {
    return;
  }
  for (const name of names) {
    const mirror = path.join(mirrors.root, name);
    const admin = path.join(mirror, 'worktrees');
    let ids: string[];
    try {
      ids = await fs.promises.readdir(admin);
    } catch {
      continue;
    }
    const mine: string[] = [];
    for (const id of ids) {
      try {
        const gitdir = (await fs.promises.readFile(path.join(admin, id, 'gitdir'), 'utf8')).trim();
        const wt = path.dirname(gitdir);
        if (within(wt)) mine.push(wt);
      } catch {
        /* half-created entry: prune handles it */
      }
    }
    if (mine.length === 0) continue;
    const parked: string[] = [];
    await mirrors.withLock(mirror, async () => {
      // Deepest first, so a checkout nested in another is removed before its parent.
      for (const wt of mine.sort((a, b) => b.length - a.length)) {
        await forgetSigningKey(wt);
        const dest = pool && fs.existsSync(wt) ? await pool.park(mirror, wt) : undefined;
        if (dest) {
          parked.push(dest);
          continue;
        }
        await fs.promises.rm(wt, { recursive: true, force: true, maxRetries: 3 });
      }
      // A parked worktree keeps its admin entry (moved with it): only removals leave some to prune.
      if (parked.length < mine.length) await git.run(['worktree', 'prune'], { cwd: mirror, allowFailure: true });
    });
    for (const dest of parked) pool?.cleanLater(dest);
  }
}
