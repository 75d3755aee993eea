/**
 * Worktrees' entries in a mirror: read, and a new one written as `git worktree add --detach
 * --no-checkout` writes it (git-worktree(1), DETAILS; gitrepository-layout(5), `worktrees/<id>`):
 * a folder `<mirror>/worktrees/<id>` holding `HEAD` (the commit), `commondir` (`../..`) and
 * `gitdir` (the worktree's `.git`), and the worktree's `.git` file naming that folder.
 *
 * Git spends two processes on it (`worktree add` runs `update-ref HEAD` in the new worktree),
 * under the mirror's lock, where every other checkout of the repository waits; here it is a few
 * small file writes (bench/README.md, stop 34). The files are git's long-standing format; nothing
 * else of `worktree add` applies to Shunt's mirrors (no branch, no sparse-checkout in the bare
 * mirror, no hooks: core.hooksPath is empty; the mirror's own `config.worktree` holds only
 * `core.bare`, which git would leave out).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isFullCommitId } from '../../../core/changes/git-reads.js';

/** What git names an entry after: the worktree folder's name, in characters a ref may hold. */
function entryName(dir: string): string {
  const name = path
    .basename(dir)
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[.-]+/, '')
    .replace(/\.lock$/, '-lock');
  return name || 'worktree';
}

/** A worktree's entry in a mirror: its folder, and the `.git` of the worktree it names. */
export interface WorktreeEntry {
  /** `<mirror>/worktrees/<id>`. */
  entry: string;
  /** What its `gitdir` file names: the worktree's `.git`. */
  dotGit: string;
}

/**
 * The mirror's worktree entries whose `gitdir` can be read (one a crash left half made may lack
 * it: pruneMirrors' job). Read without the thread pool: a round
 * trip through it costs ~25 × the CPU of a small read here, and with many checkouts of one
 * repository out, every release reads every entry (bench/README.md, stop 34).
 */
export function worktreeEntries(mirror: string): WorktreeEntry[] {
  const admin = path.join(mirror, 'worktrees');
  let ids: string[];
  try {
    ids = fs.readdirSync(admin);
  } catch {
    return [];
  }
  const entries: WorktreeEntry[] = [];
  for (const id of ids) {
    try {
      entries.push({ entry: path.join(admin, id), dotGit: fs.readFileSync(path.join(admin, id, 'gitdir'), 'utf8').trim() });
    } catch {
      /* no gitdir: not an entry git would use either */
    }
  }
  return entries;
}

/**
 * Registers `dir` (empty or missing) as a worktree of `mirror` with a detached HEAD at `commit`
 * (a full object id), without its files (checkout.ts writes them). Call with the mirror's lock
 * held: a fetch in the mirror reads every worktree's HEAD. The worktree's `.git` is written last,
 * so a `.git` there means its entry is whole. An entry a crash left half made is removed by the
 * prune of the worker starting again (pruneMirrors), and, once its `gitdir` was written, by the
 * next checkout at the path too.
 *
 * Synchronous: a dozen calls on small files under the lock, each costing far less than a round
 * trip through the thread pool would.
 */
export function addWorktreeEntry(mirror: string, dir: string, commit: string): void {
  if (!isFullCommitId(commit)) throw new Error(`worktree entry: ${JSON.stringify(commit)} is not a full commit id`);
  fs.mkdirSync(dir, { recursive: true });
  const realMirror = fs.realpathSync(mirror);
  const dotGit = path.join(fs.realpathSync(dir), '.git');
  const admin = path.join(realMirror, 'worktrees');
  // An entry naming this path whose worktree is gone (a worker that died without releasing its
  // workspace): `git worktree add` refuses the path while it is there, and prune would remove it.
  for (const stale of worktreeEntries(realMirror).filter((e) => e.dotGit === dotGit)) fs.rmSync(stale.entry, { recursive: true, force: true });
  fs.mkdirSync(admin, { recursive: true });
  const base = entryName(dir);
  let entry = path.join(admin, base);
  for (let n = 1; ; n++) {
    try {
      fs.mkdirSync(entry);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      entry = path.join(admin, `${base}${n}`);
    }
  }
  fs.writeFileSync(path.join(entry, 'HEAD'), `${commit}\n`);
  fs.writeFileSync(path.join(entry, 'commondir'), '../..\n');
  fs.writeFileSync(path.join(entry, 'gitdir'), `${dotGit}\n`);
  fs.writeFileSync(dotGit, `gitdir: ${entry}\n`);
}
