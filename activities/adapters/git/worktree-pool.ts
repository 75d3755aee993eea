/**
 * Parked worktrees, so a promotion's checkout costs what changed, not the size of the tree.
 *
 * Checking out a large repository writes every file (seconds for tens of thousands); a
 * promotion usually changes one. So when a promotion releases its workspace, up to
 * {@link POOL_PER_MIRROR} of its checkouts per mirror are moved (`git worktree move`, a rename)
 * into `<dataDir>/git/pool/<mirror>/<sparse-key>-<n>` instead of being deleted; the next
 * checkout of the same mirror with the same sparse set moves one back and brings it to the
 * wanted commit with `reset --hard` + `clean -ffdx`, which rewrites only what differs.
 *
 * A parked worktree is marked `shunt.ref = parked`: a checkout that finds the mark on its own
 * path (a crash between taking and resetting) finishes the job instead of trusting the content.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GitCommand } from './git-command.js';

export const POOL_PER_MIRROR = 2;
export const PARKED_REF = 'parked';

/** `full`, or a short hash of the sorted sparse directories. */
export function sparseKey(sparse: readonly string[] | undefined): string {
  if (!sparse || sparse.length === 0) return 'full';
  return `sparse${createHash('sha1').update([...sparse].sort().join('\n')).digest('hex').slice(0, 12)}`;
}

async function gitDirOf(git: GitCommand, wt: string): Promise<string | undefined> {
  const res = await git.run(['rev-parse', '--path-format=absolute', '--git-dir'], { cwd: wt, allowFailure: true });
  return res.code === 0 ? res.stdout.trim() : undefined;
}

export class WorktreePool {
  constructor(
    private readonly git: GitCommand,
    /** `<dataDir>/git/pool`. */
    readonly root: string,
  ) {}

  private dirFor(mirror: string): string {
    return path.join(this.root, path.basename(mirror, '.git'));
  }

  /**
   * Moves worktree `wt` of `mirror` into the pool when there is room and it is in a plain state
   * (no rebase or merge under way). Call with the mirror's lock held. Returns whether it did.
   */
  async park(mirror: string, wt: string): Promise<boolean> {
    const dir = this.dirFor(mirror);
    await fs.promises.mkdir(dir, { recursive: true });
    const parked = await fs.promises.readdir(dir);
    if (parked.length >= POOL_PER_MIRROR) return false;
    const gitDir = await gitDirOf(this.git, wt);
    if (!gitDir) return false;
    for (const busy of ['rebase-merge', 'rebase-apply', 'MERGE_HEAD', 'CHERRY_PICK_HEAD']) {
      if (fs.existsSync(path.join(gitDir, busy))) return false;
    }
    const key = (await this.git.run(['config', '--worktree', '--get', 'shunt.sparse'], { cwd: wt, allowFailure: true })).stdout.trim() || 'full';
    let n = 0;
    while (parked.includes(`${key}-${n}`)) n++;
    // Leftovers go now, off the next promotion's path; take() only resets to the new commit.
    await this.git.run(['clean', '-ffdxq'], { cwd: wt, allowFailure: true });
    await this.git.run(['config', '--worktree', 'shunt.ref', PARKED_REF], { cwd: wt });
    const moved = await this.git.run(['worktree', 'move', wt, path.join(dir, `${key}-${n}`)], { cwd: mirror, allowFailure: true });
    return moved.code === 0;
  }

  /**
   * Moves a parked worktree of `mirror` with sparse key `key` to `dest` (which must not exist or
   * be an empty directory). Call with the mirror's lock held. Returns whether it did.
   */
  async take(mirror: string, key: string, dest: string): Promise<boolean> {
    const dir = this.dirFor(mirror);
    let parked: string[];
    try {
      parked = (await fs.promises.readdir(dir)).filter((n) => n.startsWith(`${key}-`));
    } catch {
      return false;
    }
    for (const name of parked) {
      await fs.promises.rmdir(dest).catch(() => undefined);
      await fs.promises.mkdir(path.dirname(dest), { recursive: true });
      const moved = await this.git.run(['worktree', 'move', path.join(dir, name), dest], { cwd: mirror, allowFailure: true });
      if (moved.code === 0) return true;
      // Not a worktree any more (e.g. pruned): drop it.
      await fs.promises.rm(path.join(dir, name), { recursive: true, force: true });
    }
    return false;
  }

  /**
   * Brings a worktree taken from the pool to `start`: only the files that differ are written
   * (park() already cleaned untracked files); its old Shunt settings are dropped (its sparse
   * settings stay).
   */
  async reset(dir: string, start: string, hooks: { heartbeat?: (() => void) | undefined; signal?: AbortSignal | undefined }): Promise<void> {
    await this.git.run(['config', '--worktree', '--remove-section', 'shunt'], { cwd: dir, allowFailure: true });
    await this.git.run(['config', '--worktree', '--unset', 'http.sslVerify'], { cwd: dir, allowFailure: true });
    await this.git.run(['reset', '--quiet', '--hard', start], { cwd: dir, heartbeat: hooks.heartbeat, signal: hooks.signal });
  }
}
