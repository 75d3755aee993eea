/**
 * A promotion's workspace: the one directory its steps share on one worker. Every path a step
 * touches goes through {@link Workspace.resolve}, which refuses absolute paths, `..` escapes and
 * symlinks that lead out of the workspace (DESIGN.md: "a step path that escapes the promotion's
 * workspace is refused").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DomainError } from '../../core/errors.js';

/** Thrown (as a DomainError with code `PathEscape`) for any path leaving the workspace. */
function escapeError(relPath: string): DomainError {
  return new DomainError('PathEscape', `path ${JSON.stringify(relPath)} escapes the promotion workspace`);
}

/** Whether a relative path has a `.git` component, in any letter case (case-insensitive file systems). */
export function hasGitComponent(relPath: string): boolean {
  return relPath.split(/[\\/]+/).some((part) => part.toLowerCase() === '.git');
}

function gitPathError(relPath: string): DomainError {
  return new DomainError(
    'PathEscape',
    `path ${JSON.stringify(relPath)} is inside a .git directory: steps may not write git metadata (git-clone makes checkouts)`,
  );
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export class Workspace {
  /** Absolute path of the workspace directory (as created, not symlink-resolved). */
  readonly root: string;
  private realRootCache: string | undefined;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private realRoot(): string {
    if (this.realRootCache === undefined) this.realRootCache = fs.realpathSync(this.root);
    return this.realRootCache;
  }

  /**
   * The absolute path of `relPath` inside the workspace. `''` and `'.'` are the root itself.
   *
   * @throws DomainError('PathEscape') when `relPath` is absolute, climbs out with `..`, or
   *   passes through a symlink whose target lies outside the workspace (checked on the real
   *   path of the deepest ancestor that exists).
   */
  resolve(relPath: string): string {
    if (typeof relPath !== 'string' || relPath.includes('\0')) throw escapeError(String(relPath));
    if (path.isAbsolute(relPath) || path.win32.isAbsolute(relPath)) throw escapeError(relPath);
    const target = path.resolve(this.root, relPath);
    if (!isInside(this.root, target)) throw escapeError(relPath);

    // Symlinks: the deepest existing ancestor (or the target itself) must really be inside.
    let existing = target;
    for (;;) {
      try {
        fs.lstatSync(existing);
        break;
      } catch {
        const parent = path.dirname(existing);
        if (parent === existing) break;
        existing = parent;
      }
    }
    let real: string;
    try {
      real = fs.realpathSync(existing);
    } catch {
      // A dangling symlink: where it points cannot be checked, so it is refused.
      throw escapeError(relPath);
    }
    if (!isInside(this.realRoot(), real)) throw escapeError(relPath);
    return target;
  }

  /**
   * The absolute path of `relPath` for a step that creates, changes, moves, extracts into or
   * deletes it: {@link resolve}'s checks, and no `.git` component (any case) in the path as
   * written nor in its real path (a symlink into a `.git` directory). Every write of a step goes
   * through here (see step-files.ts): a planted `.git` directory would let git run its config's
   * commands (`core.fsmonitor`, hooks) in a later git step.
   *
   * @throws DomainError('PathEscape')
   */
  resolveForWrite(relPath: string): string {
    const target = this.resolve(relPath);
    if (hasGitComponent(path.relative(this.root, target))) throw gitPathError(relPath);
    let existing = target;
    while (existing !== this.root && !fs.existsSync(existing)) existing = path.dirname(existing);
    let real: string;
    try {
      real = fs.realpathSync(existing);
    } catch {
      throw escapeError(relPath);
    }
    if (hasGitComponent(path.relative(this.realRoot(), real))) throw gitPathError(relPath);
    return target;
  }

  /** The path of `absPath` relative to the workspace root, with `/` separators (for messages). */
  relative(absPath: string): string {
    const rel = path.relative(this.root, absPath);
    return rel === '' ? '.' : rel.split(path.sep).join('/');
  }
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

function workspaceDir(workRoot: string, key: string): string {
  if (!KEY_PATTERN.test(key) || key === '.' || key === '..') {
    throw new DomainError('BadRequest', `workspace key ${JSON.stringify(key)} is not a plain directory name`);
  }
  return path.join(path.resolve(workRoot), key);
}

/** Creates (or reuses) `<workRoot>/<key>`; idempotent. */
export async function createWorkspace(workRoot: string, key: string): Promise<Workspace> {
  const dir = workspaceDir(workRoot, key);
  await fs.promises.mkdir(dir, { recursive: true });
  return new Workspace(dir);
}

/** The workspace `<workRoot>/<key>` if it exists on this worker. */
export async function openWorkspace(workRoot: string, key: string): Promise<Workspace | undefined> {
  const dir = workspaceDir(workRoot, key);
  try {
    const st = await fs.promises.stat(dir);
    return st.isDirectory() ? new Workspace(dir) : undefined;
  } catch {
    return undefined;
  }
}

/** Deletes `<workRoot>/<key>` and everything in it; idempotent. Git worktrees inside it should be
 * released through GitService.releaseWorktrees first so the mirrors forget them. */
export async function removeWorkspace(workRoot: string, key: string): Promise<void> {
  const dir = workspaceDir(workRoot, key);
  await fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
