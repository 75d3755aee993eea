/**
 * Before git runs in a step's path: is it a checkout this worker made? Git reads the config of
 * whatever repository `.git` names, and a repository's config can make git run commands; so a
 * step path is only handed to git when its `.git` is a file naming a worktree of one of the
 * worker's own mirrors (`<mirrors>/<sha1>.git/worktrees/<id>`), that worktree points back at
 * this path, and the mirror is the worker's mirror of the repository it fetches from. All of it
 * is checked by reading files, before any git command runs there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DomainError } from '../../../core/errors.js';
import type { GitCommand } from './git-command.js';
import type { Mirrors } from './mirror.js';
import { worktreeSettings, type WorktreeInfo } from './worktree-info.js';

const NOT_A_CHECKOUT = 'the path is not a git checkout (run git-clone first)';

function foreign(why: string): DomainError {
  return new DomainError(
    'StepFailed',
    `the path holds a .git that is not a checkout made by this worker's git-clone (${why}); refusing to run git there`,
  );
}

function real(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

async function readSmall(file: string): Promise<string | undefined> {
  try {
    const st = await fs.promises.lstat(file);
    if (!st.isFile() || st.size > 4096) return undefined;
    return await fs.promises.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The checkout at `dir` when it is one of this worker's; with `absent: 'undefined'`, undefined
 * when `dir` has no `.git` at all.
 *
 * @throws DomainError('StepFailed') when `dir` has a `.git` that is not one of this worker's
 *   checkouts, or (with `absent: 'throw'`) none.
 */
export async function ownCheckout(git: GitCommand, mirrors: Mirrors, dir: string, opts: { absent: 'throw' }): Promise<WorktreeInfo>;
export async function ownCheckout(
  git: GitCommand,
  mirrors: Mirrors,
  dir: string,
  opts: { absent: 'undefined' },
): Promise<WorktreeInfo | undefined>;
export async function ownCheckout(
  git: GitCommand,
  mirrors: Mirrors,
  dir: string,
  opts: { absent: 'undefined' | 'throw' },
): Promise<WorktreeInfo | undefined> {
  const dotGit = path.join(dir, '.git');
  let st: fs.Stats;
  try {
    st = await fs.promises.lstat(dotGit);
  } catch {
    if (opts.absent === 'undefined') return undefined;
    throw new DomainError('StepFailed', NOT_A_CHECKOUT);
  }
  if (!st.isFile()) throw foreign(st.isDirectory() ? '.git is a directory' : '.git is not a regular file');
  const text = await readSmall(dotGit);
  const named = text === undefined ? undefined : /^gitdir: ?(.+)$/m.exec(text)?.[1]?.trim();
  if (!named) throw foreign('.git names no git dir');
  const gitDir = real(path.resolve(dir, named));
  const root = real(mirrors.root);
  if (!gitDir || !root) throw foreign('its git dir is not in the worker\'s mirrors');
  const parts = path.relative(root, gitDir).split(path.sep);
  if (parts.length !== 3 || !/^[0-9a-f]{40}\.git$/.test(parts[0] ?? '') || parts[1] !== 'worktrees') {
    throw foreign('its git dir is not in the worker\'s mirrors');
  }
  const mirror = path.join(root, parts[0] as string);
  const commonDir = (await readSmall(path.join(gitDir, 'commondir')))?.trim();
  if (!commonDir || real(path.resolve(gitDir, commonDir)) !== mirror) throw foreign('its common git dir is not the mirror');
  const back = (await readSmall(path.join(gitDir, 'gitdir')))?.trim();
  if (!back || real(path.resolve(gitDir, back)) !== real(dotGit)) throw foreign('the worktree belongs to another path');
  // Only now may git look at it. Where its git dirs are is known from the files just checked,
  // so git is asked for its config only.
  const info = await worktreeSettings(git, dir, mirror, gitDir);
  if (!info.repoURL || real(mirrors.dir(info.repoURL)) !== mirror) throw foreign('the mirror is not the worker\'s mirror of its repository');
  return info;
}

/**
 * A step's checkout as a git operation takes it: its directory, verified by the operation, or
 * what worktreeInfo (ownCheckout) answered for it earlier in the same step, when no tenant code
 * has run since: one verification per step instead of one per operation.
 */
export type Checkout = string | WorktreeInfo;

/** `checkout` verified (see ownCheckout), or as given when it is already a verified answer. */
export async function ownCheckoutOf(git: GitCommand, mirrors: Mirrors, checkout: Checkout, opts: { absent: 'throw' }): Promise<WorktreeInfo>;
export async function ownCheckoutOf(git: GitCommand, mirrors: Mirrors, checkout: Checkout, opts: { absent: 'undefined' }): Promise<WorktreeInfo | undefined>;
export async function ownCheckoutOf(git: GitCommand, mirrors: Mirrors, checkout: Checkout, opts: { absent: 'throw' | 'undefined' }): Promise<WorktreeInfo | undefined> {
  if (typeof checkout !== 'string') return checkout;
  return opts.absent === 'throw' ? ownCheckout(git, mirrors, checkout, { absent: 'throw' }) : ownCheckout(git, mirrors, checkout, { absent: 'undefined' });
}
