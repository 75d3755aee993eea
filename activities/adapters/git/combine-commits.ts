/**
 * Pushes that go to a branch together put each checkout's commit on the one before it. With a
 * rebase each, that is a sequencer run per promotion, one after another while the others wait.
 * In the usual case (each checkout one commit on a tip the remote's tip descends from, and no
 * two touching the same paths) the result is known from the paths alone: the commit's changes
 * applied on the one before it, which is what the rebase's three-way merge would give. Then the
 * whole chain is made by one `git fast-import`, from what three git processes tell of the
 * commits, whatever the number of checkouts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GitCommand } from './git-command.js';
import { ChangedPaths, parseRawDiffs, type PathChange } from './path-changes.js';
import { parseCatFileBatch, type RawCommit } from './raw-commit.js';
import { worktreeGitDir } from './worktree-config.js';
import { isObjectId } from './refs.js';

/** Where a checkout's commit went in the chain. */
export interface Combined {
  /** The checkout's HEAD now. */
  from: string;
  /** The commit it pushes as: `from` itself when it needs no rewriting. */
  head: string;
  /** The remote's tip already holds `from`: nothing of it to push. */
  contained: boolean;
}


/** A detached HEAD, read from the worktree's own git dir (Shunt's, never a step's). */
async function readHead(dir: string): Promise<string | undefined> {
  try {
    const text = (await fs.promises.readFile(path.join(await worktreeGitDir(dir), 'HEAD'), 'utf8')).trim();
    return isObjectId(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The commits of the checkouts at `dirs` (in chain order) put one on top of the other on
 * `remote`, made in the mirror; the checkouts themselves are left as they are. `known` gives
 * HEADs already read. Undefined when a rebase per checkout has to do it: a HEAD that is not
 * detached, not one plain (unsigned, UTF-8) commit on a tip `remote` descends from, a commit
 * that changes nothing, or two that touch the same paths (the rebase then merges them, or
 * reports the conflict as it always has).
 */
export async function combineCommits(git: GitCommand, dirs: string[], remote: string, known: (string | undefined)[] = []): Promise<Combined[] | undefined> {
  const cwd = dirs[0];
  if (cwd === undefined) return [];
  const read = await Promise.all(dirs.map(async (dir, i) => known[i] ?? (await readHead(dir))));
  if (read.some((head) => head === undefined)) return undefined;
  const heads = read as string[];
  if (new Set(heads).size !== heads.length) return undefined;
  const [listed, objects] = await Promise.all([
    git.run(['rev-list', ...heads, `^${remote}`, '--'], { cwd, allowFailure: true }),
    git.run(['cat-file', '--batch'], { cwd, input: `${heads.join('\n')}\n`, allowFailure: true }),
  ]);
  if (listed.code !== 0 || objects.code !== 0) return undefined;
  // Commits of the HEADs that `remote` lacks; any other commit there is a parent the remote's
  // tip does not descend from.
  const fresh = new Set(listed.stdout.split('\n').filter((l) => l !== ''));
  if ([...fresh].some((c) => !heads.includes(c))) return undefined;
  const commits = new Map((parseCatFileBatch(objects.stdout) ?? []).map((c) => [c.id, c]));
  const picks: RawCommit[] = [];
  for (const head of heads) {
    if (!fresh.has(head)) continue;
    const commit = commits.get(head);
    if (!commit || commit.parents.length !== 1 || fresh.has(commit.parents[0]!) || commit.otherHeaders) return undefined;
    picks.push(commit);
  }

  // Each commit's changes, and what changed between each parent and the remote's tip: asked as
  // "<parent> <remote>" (git prints a line's diff under its first id, from the others to it), so
  // that each has an id of its own, and turned round.
  const parents = [...new Set(picks.map((c) => c.parents[0]!))].filter((p) => p !== remote);
  const lines = [...picks.map((c) => c.id), ...parents.map((p) => `${p} ${remote}`)];
  const diffed = picks.length === 0 ? new Map<string, PathChange[]>() : await diffTrees(git, cwd, lines);
  if (!diffed) return undefined;
  const sinceParent = new Map<string, ChangedPaths>([[remote, new ChangedPaths()]]);
  for (const parent of parents) {
    const changed = new ChangedPaths();
    changed.add(reversed(diffed.get(parent) ?? []));
    sinceParent.set(parent, changed);
  }

  // The chain: the first commit stays as it is when it sits on the remote's tip already.
  const chain = new ChangedPaths();
  const stream: string[] = [];
  const rewritten: string[] = [];
  let tip = remote;
  let marks = 0;
  for (const commit of picks) {
    const changes = diffed.get(commit.id);
    const parent = commit.parents[0]!;
    if (!changes || changes.length === 0 || !sinceParent.get(parent)!.disjointFrom(changes) || !chain.disjointFrom(changes)) return undefined;
    chain.add(changes);
    if (tip === remote && parent === remote) {
      tip = commit.id;
      continue;
    }
    marks++;
    stream.push(commitCommand(commit, marks, tip, changes));
    rewritten.push(commit.id);
    tip = `:${marks}`;
  }
  const made = marks === 0 ? [] : await fastImport(git, cwd, stream, marks);
  if (!made) return undefined;
  const newHead = new Map(rewritten.map((id, i) => [id, made[i]!]));
  return heads.map((head) => ({ from: head, head: newHead.get(head) ?? head, contained: !fresh.has(head) }));
}

async function diffTrees(git: GitCommand, cwd: string, lines: string[]): Promise<Map<string, PathChange[]> | undefined> {
  const res = await git.run(['diff-tree', '--stdin', '-r', '--no-renames', '--no-abbrev', '-z'], { cwd, input: `${lines.join('\n')}\n`, allowFailure: true });
  if (res.code !== 0 || res.stdout.includes('\uFFFD')) return undefined;
  return parseRawDiffs(res.stdout);
}

/** Changes from `b` to `a` as changes from `a` to `b`: what one adds the other deletes (ChangedPaths reads status and path only). */
function reversed(changes: PathChange[]): PathChange[] {
  return changes.map((c) => ({ ...c, status: c.status === 'A' ? 'D' : c.status === 'D' ? 'A' : c.status }));
}

/** A path as fast-import reads it: quoted C-style when it starts with a quote or holds a newline. */
function importPath(p: string): string {
  if (!p.startsWith('"') && !p.includes('\n')) return p;
  return `"${p.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `commit`'s author, committer and message on `from`, with its changes, as fast-import's `commit` command. */
function commitCommand(commit: RawCommit, mark: number, from: string, changes: PathChange[]): string {
  const files = changes.map((c) => (c.status === 'D' ? `D ${importPath(c.path)}` : `M ${c.mode} ${c.object} ${importPath(c.path)}`));
  return [
    `commit ${COMBINE_REF}`,
    `mark :${mark}`,
    `author ${commit.author}`,
    `committer ${commit.committer}`,
    `data ${Buffer.byteLength(commit.message, 'utf8')}`,
    `${commit.message}`,
    `from ${from}`,
    ...files,
    '',
  ].join('\n');
}

/**
 * The ref fast-import's commands name. It is reset at the end of the stream, so never written:
 * the commits are found by their marks, and reached once pushed and checked out.
 */
const COMBINE_REF = 'refs/worktree/shunt-combine';

async function fastImport(git: GitCommand, cwd: string, commands: string[], marks: number): Promise<string[] | undefined> {
  const asks = Array.from({ length: marks }, (_, i) => `get-mark :${i + 1}`);
  const input = `${commands.join('\n')}\n${asks.join('\n')}\nreset ${COMBINE_REF}\n\ndone\n`;
  const res = await git.run(['fast-import', '--quiet', '--done', '--cat-blob-fd=1'], { cwd, input, allowFailure: true });
  const made = res.stdout.split('\n').filter((l) => l !== '');
  if (res.code !== 0 || made.length !== marks || !made.every(isObjectId)) return undefined;
  return made;
}
