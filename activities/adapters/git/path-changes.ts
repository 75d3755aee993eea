/**
 * What commits change, path by path (`git diff-tree -r --no-renames -z`), and whether two sets of
 * changes can be put together by path alone: the result a three-way merge (a rebase) would give
 * when each path was changed on one side only.
 */
import { isObjectId } from './refs.js';

/** A, D, M or T (type change), as `git diff-tree --raw` prints them. */
export type ChangeStatus = 'A' | 'D' | 'M' | 'T';

export interface PathChange {
  status: ChangeStatus;
  /** The mode after the change (`000000` for a deletion). */
  mode: string;
  /** The object after the change (zeros for a deletion). */
  object: string;
  path: string;
}

const RAW_ENTRY = /^:(\d{6}) (\d{6}) ([0-9a-f]{40,64}) ([0-9a-f]{40,64}) ([ADMT])$/;

/**
 * The output of `git diff-tree --stdin -r --no-renames -z` by the commit each diff is for (the
 * first id of its input line); an empty diff prints nothing, so a commit missing from the map
 * changed nothing. Undefined when the output is not what that command prints (a status this
 * does not take, such as an unmerged entry), so that the caller lets git do the work instead.
 */
export function parseRawDiffs(output: string): Map<string, PathChange[]> | undefined {
  const fields = output.split('\0');
  if (fields[fields.length - 1] === '') fields.pop();
  const diffs = new Map<string, PathChange[]>();
  let current: PathChange[] | undefined;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const entry = RAW_ENTRY.exec(field);
    if (entry) {
      const path = fields[++i];
      if (!current || path === undefined || path === '') return undefined;
      current.push({ status: entry[5] as ChangeStatus, mode: entry[2]!, object: entry[4]!, path });
      continue;
    }
    // The header before each diff: the commit it is for (a line of its own without -z's NUL).
    const id = field.replace(/^\n+|\n+$/g, '');
    if (!isObjectId(id) || diffs.has(id)) return undefined;
    current = [];
    diffs.set(id, current);
  }
  return diffs;
}

function ancestors(path: string): string[] {
  const dirs: string[] = [];
  for (let at = path.indexOf('/'); at >= 0; at = path.indexOf('/', at + 1)) dirs.push(path.slice(0, at));
  return dirs;
}

/**
 * The paths a tree was changed at, gathered change by change, to tell whether other changes
 * touch none of them.
 */
export class ChangedPaths {
  private readonly paths = new Set<string>();
  /** Every directory holding a changed path. */
  private readonly dirs = new Set<string>();
  /** Every directory holding a deleted path, or an added one. */
  private readonly deletedIn = new Set<string>();
  private readonly addedIn = new Set<string>();

  add(changes: readonly PathChange[]): void {
    for (const change of changes) {
      this.paths.add(change.path);
      for (const dir of ancestors(change.path)) {
        this.dirs.add(dir);
        if (change.status === 'D') this.deletedIn.add(dir);
        if (change.status === 'A') this.addedIn.add(dir);
      }
    }
  }

  /**
   * Whether `changes` touch nothing these do, so that applying them on top of these gives what a
   * three-way merge gives: no same path, no file where the other side has a directory (or the
   * reverse), and no file added inside a directory the other side deleted from, since git's
   * rename detection could move a directory's new file along with a directory it takes for renamed.
   */
  disjointFrom(changes: readonly PathChange[]): boolean {
    for (const change of changes) {
      if (this.paths.has(change.path) || this.dirs.has(change.path)) return false;
      for (const dir of ancestors(change.path)) {
        if (this.paths.has(dir)) return false;
        if (change.status === 'A' && this.deletedIn.has(dir)) return false;
        if (change.status === 'D' && this.addedIn.has(dir)) return false;
      }
    }
    return true;
  }
}
