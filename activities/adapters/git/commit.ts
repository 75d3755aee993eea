/** Reading and making commits in a checkout. */
import { DomainError } from '../../../core/errors.js';
import type { GitCommand } from './git-command.js';
import { recordSigningKey, withSigning } from './signing.js';
import type { GitIdentity } from './types.js';

/** The trailer every promotion commit carries: `Shunt-Promotion: <promotion>`. */
export const PROMOTION_TRAILER = 'Shunt-Promotion';

export interface CommitRequest {
  message: string;
  /** Overrides the checkout's configured author (git-commit's deprecated `author`). */
  author?: GitIdentity | undefined;
  /** Sign this commit, and later ones in the checkout, with this key (git-commit's deprecated `author.signingKey`). */
  signingKey?: string | undefined;
  /** Trailers appended with `git commit --trailer`. */
  trailers?: Record<string, string>;
}

export interface CommitResult {
  commit: string;
  /** False when there was nothing to commit. */
  created: boolean;
}

/** The full message of HEAD. */
export async function headMessage(git: GitCommand, dir: string): Promise<string> {
  return (await git.run(['log', '-1', '--format=%B', 'HEAD'], { cwd: dir })).stdout;
}

/** Whether the worktree has changes (tracked or untracked) compared to HEAD. */
export async function isDirty(git: GitCommand, dir: string): Promise<boolean> {
  const res = await git.run(['status', '--porcelain', '--untracked-files=all'], { cwd: dir });
  return res.stdout.trim().length > 0;
}

/** `git commit`'s default clean-up of a message given with `-F`: whitespace only, no comment stripping. */
export function cleanMessage(message: string): string {
  const lines = message.split('\n').map((l) => l.replace(/\s+$/, ''));
  const out: string[] = [];
  for (const line of lines) {
    if (line === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(line);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/**
 * A cleaned message with `trailers` added as `git interpret-trailers --trailer` adds them, when
 * that needs no git: trailers with plain, distinct keys and one-line values, and a message with
 * no line git could take for a patch divider (`---`) or a comment (`#`) whose last paragraph git
 * cannot take for trailers: the only paragraph (git never takes the first, the subject), or one
 * of lines that are neither `Token: …` (git's separator after a word of letters, digits and
 * dashes) nor a continuation (leading whitespace) nor one of git's own (`Signed-off-by: `,
 * `(cherry picked from commit `); kustomize-set-image's `- image:tag` lines are such. Then git
 * adds a blank line and `Key: value` lines. Undefined for anything else: git adds them then.
 */
export function withTrailersPlainly(message: string, trailers: [string, string][]): string | undefined {
  const body = message.endsWith('\n') ? message.slice(0, -1) : message;
  if (body.split('\n').some((line) => line.startsWith('---') || line.startsWith('#'))) return undefined;
  const lastParagraph = body.lastIndexOf('\n\n');
  if (lastParagraph >= 0 && body.slice(lastParagraph + 2).split('\n').some(mayBeTrailer)) return undefined;
  const keys = new Set(trailers.map(([k]) => k.toLowerCase()));
  if (keys.size !== trailers.length || trailers.some(([k, v]) => !/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(k) || !/^\S(?:[^\n]*\S)?$/.test(v))) return undefined;
  return `${body}\n\n${trailers.map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;
}

/** A line git's trailer parser could count as a trailer, or as part of one (trailer.c). */
function mayBeTrailer(line: string): boolean {
  return /^[A-Za-z0-9-]+[ \t]*:/.test(line) || /^\s/.test(line) || line.startsWith('(cherry picked from commit ');
}

/**
 * Stages what changed and commits. Nothing to commit is not an error: the result is the current
 * HEAD with `created: false`.
 *
 * `only`: the directories (relative to `dir`) that hold every change, when the caller knows them
 * (checkout-writes.ts); then only they are walked for new files, not the whole tree. Without it,
 * or when git refuses one of them (an ignored directory, a path outside a sparse checkout, a
 * submodule's), everything is staged.
 *
 * Made of plumbing (`write-tree`, `commit-tree`, `update-ref`) rather than `git commit`, which
 * would look at every file of the tree again after `git add` has: on a checkout of tens of
 * thousands of files that second look is most of a commit's cost. The message gets `git commit`'s
 * clean-up and its trailers from `git interpret-trailers`, as `git commit --trailer` does.
 */
export async function commit(git: GitCommand, dir: string, req: CommitRequest, only?: string[]): Promise<CommitResult> {
  if (req.signingKey) await recordSigningKey(dir, req.signingKey);
  await stage(git, dir, only);
  const [written, heads] = await Promise.all([
    git.run(['write-tree'], { cwd: dir }),
    git.run(['rev-parse', '--quiet', 'HEAD', 'HEAD^{tree}'], { cwd: dir, allowFailure: true }),
  ]);
  const tree = written.stdout.trim();
  const [head, headTree] = heads.code === 0 ? heads.stdout.trim().split('\n') : [];
  if (head && headTree === tree) return { commit: head, created: false };

  let message = cleanMessage(req.message);
  if (!message) throw new DomainError('StepFailed', 'the commit message is empty');
  const trailers = Object.entries(req.trailers ?? {});
  if (trailers.length > 0) {
    const args = ['interpret-trailers'];
    for (const [k, v] of trailers) args.push(`--trailer=${k}: ${v}`);
    message = withTrailersPlainly(message, trailers) ?? (await git.run(args, { cwd: dir, input: message })).stdout;
  }
  const extraEnv = req.author
    ? { GIT_AUTHOR_NAME: req.author.name, GIT_AUTHOR_EMAIL: req.author.email }
    : undefined;
  // Signed with the checkout's signingKey when it has one (signing.ts).
  const created = await withSigning(git, dir, async (signing) => {
    const args = [...(signing?.config ?? []), 'commit-tree', ...(signing ? [signing.flag] : []), tree, ...(head ? ['-p', head] : []), '-F', '-'];
    const env = { ...(extraEnv ?? {}), ...(signing?.env ?? {}) };
    return (await git.run(args, { cwd: dir, input: message, extraEnv: env })).stdout.trim();
  });
  const subject = message.split('\n')[0] ?? '';
  await git.run(['update-ref', '-m', `commit: ${subject}`, 'HEAD', created, ...(head ? [head] : [''])], { cwd: dir });
  return { commit: created, created: true };
}

async function stage(git: GitCommand, dir: string, only: string[] | undefined): Promise<void> {
  if (only !== undefined) {
    if (only.length === 0) return;
    const scoped = await git.run(['add', '--all', '--', ...only.map((p) => `:(literal)${p}`)], { cwd: dir, allowFailure: true });
    if (scoped.code === 0) return;
  }
  await git.run(['add', '--all'], { cwd: dir });
}
