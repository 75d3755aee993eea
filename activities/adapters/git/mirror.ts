/**
 * The worker's bare mirrors, one per repository: where they live, creating and fetching them,
 * and the per-mirror lock that guards their shared state.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normalizeGitURL } from '../../../core/freight/normalize.js';
import type { GitCommand } from './git-command.js';
import type { MirrorLocks } from './mirror-locks.js';
import type { GitStats, OperationHooks, RemoteAccess } from './types.js';

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export class Mirrors {
  constructor(
    /** `<dataDir>/git/mirrors`. */
    readonly root: string,
    private readonly git: GitCommand,
    private readonly locks: MirrorLocks,
    private readonly stats: GitStats,
  ) {}

  /** `<root>/<sha1(normalized url)>.git`: every spelling of one repository shares it. */
  dir(repoURL: string): string {
    return path.join(this.root, `${sha1(normalizeGitURL(repoURL))}.git`);
  }

  /** Runs `fn` holding the lock of the mirror at `mirror`. */
  async withLock<T>(mirror: string, fn: () => Promise<T>): Promise<T> {
    await fs.promises.mkdir(path.dirname(mirror), { recursive: true });
    return this.locks.with(`${mirror}.lock`, fn);
  }

  /**
   * Makes the mirror of `repoURL` current: creates it the first time, fetches (new objects only)
   * afterwards. Returns its directory.
   */
  async sync(repoURL: string, opts: RemoteAccess & OperationHooks): Promise<string> {
    const dir = this.dir(repoURL);
    await this.withLock(dir, () => this.syncLocked(dir, repoURL, opts));
    return dir;
  }

  /** `git fetch --prune origin` in the mirror at `dir`, without taking its lock. */
  async fetch(dir: string, repoURL: string, access: RemoteAccess, hooks: OperationHooks = {}): Promise<void> {
    await this.git.run(['fetch', '--quiet', '--prune', 'origin'], {
      cwd: dir,
      access,
      remoteURL: repoURL,
      heartbeat: hooks.heartbeat,
      signal: hooks.signal,
    });
  }

  private async syncLocked(dir: string, repoURL: string, opts: RemoteAccess & OperationHooks): Promise<void> {
    const exists = fs.existsSync(path.join(dir, 'HEAD')) && fs.existsSync(path.join(dir, 'config.worktree'));
    if (!exists) {
      await fs.promises.rm(dir, { recursive: true, force: true });
      await fs.promises.mkdir(dir, { recursive: true });
      await this.git.run(['init', '--quiet', '--bare'], { cwd: dir });
      const settings: [string, string][] = [
        ['remote.origin.url', repoURL],
        ['remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*'],
        ['gc.autoDetach', 'false'],
        ['maintenance.autoDetach', 'false'],
        ['core.hooksPath', '/dev/null'],
        ['commit.gpgSign', 'false'],
        ['tag.gpgSign', 'false'],
        ['rebase.autoStash', 'false'],
        ['extensions.worktreeConfig', 'true'],
      ];
      for (const [k, v] of settings) await this.git.run(['config', k, v], { cwd: dir });
      await this.git.run(['config', '--add', 'remote.origin.fetch', '+refs/tags/*:refs/tags/*'], { cwd: dir });
      // With worktreeConfig on, core.bare must move to the main worktree's own config, or every
      // linked worktree would think it is bare too (see git-worktree(1), CONFIGURATION FILE).
      await this.git.run(['config', '--unset', 'core.bare'], { cwd: dir });
      await this.git.run(['config', '--worktree', 'core.bare', 'true'], { cwd: dir });
      this.stats.mirrorsCreated++;
    } else {
      this.stats.mirrorFetches++;
      await this.git.run(['config', 'remote.origin.url', repoURL], { cwd: dir });
    }
    await this.fetch(dir, repoURL, opts, opts);
  }
}
