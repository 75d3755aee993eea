/**
 * Where steps have written in each checkout since git made it, so that git-commit stages those
 * places only. `git add --all` walks every directory of the tree for new files: on a checkout of
 * 20,000 files in 21,000 directories that walk was 280 ms of a 600 ms promotion (bench/README.md,
 * "What glibc kept, staging where steps wrote").
 *
 * It can be exact because every write of a step goes through Workspace.resolveForWrite (the
 * workspace's one path rule), which reports here; a tool a step runs writes only below the paths
 * the step resolved for it. What is not known here is staged the old way, by walking everything:
 * a checkout this process did not make (a worker restarted since, a reused checkout), a write to
 * the checkout's top or above it, or more writes than are worth listing.
 *
 * Paths are real paths (symlinks resolved), so a write through a symlink counts where it lands.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isInside } from './path-inside.js';

/** More written paths than this in one checkout: stage everything. */
const MAX_PATHS_PER_CHECKOUT = 256;
/** More checkouts than this remembered (workspaces never released): the oldest are forgotten. */
const MAX_CHECKOUTS = 4096;
const EVERYWHERE = 'everywhere';

function realPathOf(dir: string): string | undefined {
  try {
    return fs.realpathSync(dir);
  } catch {
    return undefined;
  }
}

/** The part of a path before its first glob character: a step's pattern may match anything below it. */
function beforeGlob(p: string): string {
  const parts = p.split(path.sep);
  const literal = parts.findIndex((part) => /[*?[\]{}\\]/.test(part));
  return literal === -1 ? p : parts.slice(0, literal).join(path.sep) || path.sep;
}

/** The directory whose subtree holds every change a write at `p` made: `p` itself when it is a directory, else the nearest existing one above it. */
function changedSubtree(p: string): string {
  let at = beforeGlob(p);
  try {
    if (fs.lstatSync(at).isDirectory()) return at;
  } catch {
    /* gone or never made: look above it */
  }
  for (;;) {
    const parent = path.dirname(at);
    if (parent === at) return at;
    at = parent;
    if (fs.existsSync(at)) return at;
  }
}

export class CheckoutWrites {
  private readonly written = new Map<string, Set<string> | typeof EVERYWHERE>();

  /** `dir` was just checked out afresh: nothing in it differs from its commit. */
  checkedOut(dir: string): void {
    const real = realPathOf(dir);
    if (real === undefined) return;
    this.written.delete(real);
    this.written.set(real, new Set());
    if (this.written.size > MAX_CHECKOUTS) this.written.delete(this.written.keys().next().value as string);
  }

  /** A step is about to create, change or delete `realPath` (or things below it). */
  wrote(realPath: string): void {
    for (const [dir, paths] of this.written) {
      if (paths === EVERYWHERE) continue;
      if (isInside(realPath, dir)) this.written.set(dir, EVERYWHERE);
      else if (isInside(dir, realPath)) {
        paths.add(realPath);
        if (paths.size > MAX_PATHS_PER_CHECKOUT) this.written.set(dir, EVERYWHERE);
      }
    }
  }

  /**
   * What to stage in the checkout at `dir`: paths relative to it (each a directory holding every
   * change steps made there; none when steps wrote nothing), or undefined for everything.
   */
  toStage(dir: string): string[] | undefined {
    const real = realPathOf(dir);
    const paths = real === undefined ? undefined : this.written.get(real);
    if (real === undefined || paths === undefined || paths === EVERYWHERE) return undefined;
    const subtrees = [...new Set([...paths].map(changedSubtree))].sort();
    if (subtrees.some((s) => s === real || !isInside(real, s))) return undefined;
    const outermost = subtrees.filter((s, i) => !subtrees.slice(0, i).some((outer) => isInside(outer, s)));
    return outermost.map((s) => path.relative(real, s).split(path.sep).join('/'));
  }

  /** Forgets the checkouts under `root` (a workspace released). */
  forgetUnder(root: string): void {
    const roots = [path.resolve(root), realPathOf(root)].filter((r): r is string => r !== undefined);
    for (const dir of [...this.written.keys()]) {
      if (roots.some((r) => isInside(r, dir))) this.written.delete(dir);
    }
  }
}

/** This worker process's record: steps' workspaces and git's checkouts all report to it. */
export const checkoutWrites = new CheckoutWrites();
