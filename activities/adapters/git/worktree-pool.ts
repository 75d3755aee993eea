/**
 * Parked worktrees, so a promotion's checkout costs what changed, not the size of the tree.
 *
 * Checking out a large repository writes every file (seconds for tens of thousands); a
 * promotion usually changes one. So when a promotion releases its workspace, up to
 * {@link POOL_PER_MIRROR} of its checkouts per mirror are moved (`git worktree move`, a rename)
 * into `<dataDir>/git/pool/<mirror>/<sparse-key>-<n>` instead of being deleted; the next
 * checkout of the same mirror with the same sparse set moves one back and brings it to the
 * wanted commit with `checkout --force --detach`, which rewrites only what differs.
 *
 * Parking is a rename and a mark, so releasing a workspace stays cheap; removing the leftovers
 * (untracked and ignored files, a walk of the whole tree) happens afterwards in the background,
 * under a lock of that parked worktree which a taker waits for. Marks (`shunt.ref`):
 * `parked-dirty` until the leftovers are gone, then `parked`. A checkout that finds either mark
 * on its own path (a crash between taking and resetting) finishes the job instead of trusting
 * the content.
 */
import { sha1Hex } from '../../../core/hash.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GitCommand } from './git-command.js';
import type { MirrorLocks } from './mirror-locks.js';
import { readShuntSettings, worktreeGitDir, writeShuntSetting } from './worktree-config.js';

export const POOL_PER_MIRROR = 2;
/** A parked worktree whose leftovers are gone. */
export const PARKED_REF = 'parked';
/** A parked worktree that may still hold untracked or ignored files. */
export const PARKED_DIRTY_REF = 'parked-dirty';

export function isParked(ref: string | undefined): boolean {
  return ref === PARKED_REF || ref === PARKED_DIRTY_REF;
}

/** `full`, or a short hash of the sorted sparse directories. */
export function sparseKey(sparse: readonly string[] | undefined): string {
  if (!sparse || sparse.length === 0) return 'full';
  return `sparse${sha1Hex([...sparse].sort().join('\n')).slice(0, 12)}`;
}

async function gitDirOf(wt: string): Promise<string | undefined> {
  try {
    return await worktreeGitDir(wt);
  } catch {
    return undefined;
  }
}

type Hooks = { heartbeat?: (() => void) | undefined; signal?: AbortSignal | undefined };

export class WorktreePool {
  private readonly background = new Set<Promise<void>>();

  constructor(
    private readonly git: GitCommand,
    /** `<dataDir>/git/pool`. */
    readonly root: string,
    private readonly locks: MirrorLocks,
  ) {}

  private dirFor(mirror: string): string {
    return path.join(this.root, path.basename(mirror, '.git'));
  }

  /** The lock of one parked worktree (kept outside the pool folder, whose entries are worktrees). */
  private async withParkedLock<T>(parked: string, fn: () => Promise<T>): Promise<T> {
    const lock = path.join(path.dirname(this.root), 'pool-locks', `${path.basename(path.dirname(parked))}-${path.basename(parked)}.lock`);
    await fs.promises.mkdir(path.dirname(lock), { recursive: true });
    return this.locks.with(lock, fn);
  }

  /**
   * Moves worktree `wt` of `mirror` into the pool when there is room and it is in a plain state
   * (no rebase or merge under way). Call with the mirror's lock held. Returns where it went, or
   * undefined when it was not parked. Call {@link cleanLater} with the result once the mirror's
   * lock is released.
   */
  async park(mirror: string, wt: string): Promise<string | undefined> {
    const dir = this.dirFor(mirror);
    await fs.promises.mkdir(dir, { recursive: true });
    const parked = await fs.promises.readdir(dir);
    if (parked.length >= POOL_PER_MIRROR) return undefined;
    const gitDir = await gitDirOf(wt);
    if (!gitDir) return undefined;
    for (const busy of ['rebase-merge', 'rebase-apply', 'MERGE_HEAD', 'CHERRY_PICK_HEAD']) {
      if (fs.existsSync(path.join(gitDir, busy))) return undefined;
    }
    const key = (await this.setting(wt, 'sparse')) || 'full';
    let n = 0;
    while (parked.includes(`${key}-${n}`)) n++;
    const dest = path.join(dir, `${key}-${n}`);
    await this.setSetting(wt, 'ref', PARKED_DIRTY_REF);
    const moved = await this.git.run(['worktree', 'move', wt, dest], { cwd: mirror, allowFailure: true });
    return moved.code === 0 ? dest : undefined;
  }

  /** Removes a parked worktree's leftovers in the background (see the file comment). */
  cleanLater(parked: string): void {
    const job = this.withParkedLock(parked, async () => {
      if (!fs.existsSync(parked)) return; // taken already
      await this.clean(parked, {});
    })
      .catch(() => undefined)
      .finally(() => this.background.delete(job));
    this.background.add(job);
  }

  /** Resolves once no background cleaning is under way (tests, and a worker shutting down). */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  private async clean(dir: string, hooks: Hooks): Promise<void> {
    await this.git.run(['clean', '-ffdxq'], { cwd: dir, heartbeat: hooks.heartbeat, signal: hooks.signal });
    await this.setSetting(dir, 'ref', PARKED_REF);
  }

  /**
   * A `shunt.<key>` setting of a worktree: read from its config file, as git would (git is asked
   * only when the file is spelled in a way the reader does not take). These run under the
   * mirror's lock, where every git process makes the other promotions of the repository wait.
   */
  private async setting(wt: string, key: string): Promise<string> {
    const settings = await readShuntSettings(wt);
    if (settings !== undefined) return settings[key] ?? '';
    return (await this.git.run(['config', '--worktree', '--get', `shunt.${key}`], { cwd: wt, allowFailure: true })).stdout.trim();
  }

  private async setSetting(wt: string, key: string, value: string): Promise<void> {
    if (!(await writeShuntSetting(wt, key, value))) await this.git.run(['config', '--worktree', `shunt.${key}`, value], { cwd: wt });
  }

  /**
   * Moves a parked worktree of `mirror` with sparse key `key` to `dest` (which must not exist or
   * be an empty directory), its leftovers removed. Call with the mirror's lock held. Returns
   * whether it did.
   */
  async take(mirror: string, key: string, dest: string, hooks: Hooks = {}): Promise<boolean> {
    const dir = this.dirFor(mirror);
    let parked: string[];
    try {
      parked = (await fs.promises.readdir(dir)).filter((n) => n.startsWith(`${key}-`));
    } catch {
      return false;
    }
    for (const name of parked) {
      const from = path.join(dir, name);
      const taken = await this.withParkedLock(from, async () => {
        if (!fs.existsSync(from)) return false;
        const mark = await this.setting(from, 'ref');
        if (mark !== PARKED_REF) {
          try {
            await this.clean(from, hooks);
          } catch {
            await fs.promises.rm(from, { recursive: true, force: true });
            return false;
          }
        }
        await fs.promises.rmdir(dest).catch(() => undefined);
        await fs.promises.mkdir(path.dirname(dest), { recursive: true });
        const moved = await this.git.run(['worktree', 'move', from, dest], { cwd: mirror, allowFailure: true });
        if (moved.code === 0) return true;
        // Not a worktree any more (e.g. pruned): drop it.
        await fs.promises.rm(from, { recursive: true, force: true });
        return false;
      });
      if (taken) return true;
    }
    return false;
  }

  /**
   * Brings a worktree taken from the pool to `start`: only the files that differ are written,
   * and changes to tracked files are thrown away; untracked files are gone already (take()).
   * With `dirty` (a crash between taking and resetting), untracked files are removed first.
   */
  async reset(dir: string, start: string, hooks: Hooks & { dirty?: boolean }): Promise<void> {
    if (hooks.dirty) await this.git.run(['clean', '-ffdxq'], { cwd: dir, heartbeat: hooks.heartbeat, signal: hooks.signal });
    await this.git.run(['checkout', '--quiet', '--force', '--detach', start], { cwd: dir, heartbeat: hooks.heartbeat, signal: hooks.signal });
  }
}
