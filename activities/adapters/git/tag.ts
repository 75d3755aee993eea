/**
 * Annotated tags made in a promotion's checkout, and pushing them.
 *
 * The mirror's `refs/tags/*` follow the remote (fetch prunes them), so a tag made here is also
 * recorded in the worktree's own config (`shunt.tag.<name>` = tag object id): git-push finds it
 * there even if another promotion's fetch pruned the unpushed ref in between.
 */
import { DomainError } from '../../../core/errors.js';
import type { GitCommand } from './git-command.js';
import { commandError } from './git-failures.js';
import type { Mirrors } from './mirror.js';
import { displayURL } from './redact.js';
import { isValidRefName } from './refs.js';
import type { GitStats, OperationHooks, RemoteAccess } from './types.js';
import { checkGitRemote } from '../egress/egress-connect.js';
import { ownCheckoutOf, type Checkout } from './own-checkout.js';

export interface TagRequest {
  tag: string;
  message: string;
  /** Move an existing tag that points elsewhere. */
  force?: boolean | undefined;
}

export interface TagResult {
  /** The tagged commit (HEAD). */
  commit: string;
  /** The annotated tag object. */
  object: string;
}

const configKey = (tag: string): string => `shunt.tag.${tag.replace(/[^A-Za-z0-9-]/g, (c) => `-${c.charCodeAt(0).toString(16)}-`)}`;

function checkName(tag: string): void {
  if (!isValidRefName(tag)) throw new DomainError('StepFailed', `tag ${JSON.stringify(tag)} is not a valid git ref name`);
}

/**
 * Tags HEAD of the checkout at `dir`. Idempotent: a tag this checkout already made on HEAD, or
 * one the remote already has on HEAD, is reused.
 * @throws DomainError('StepFailed') when the tag exists on another commit and `force` is not set.
 */
export async function tag(git: GitCommand, dir: string, req: TagRequest): Promise<TagResult> {
  checkName(req.tag);
  const head = await git.revParse(dir, 'HEAD');
  const recorded = (await git.run(['config', '--worktree', '--get', configKey(req.tag)], { cwd: dir, allowFailure: true })).stdout.trim();
  const existing = recorded || (await git.tryRevParse(dir, `refs/tags/${req.tag}`));
  if (existing) {
    const target = await git.tryRevParse(dir, `${existing}^{commit}`);
    if (target === head) {
      await git.run(['config', '--worktree', configKey(req.tag), existing], { cwd: dir });
      return { commit: head, object: existing };
    }
    if (!req.force) {
      throw new DomainError('StepFailed', `tag ${JSON.stringify(req.tag)} already exists on commit ${target ?? existing}; set force: true to move it`);
    }
  }
  await git.run(['tag', '--annotate', '--force', `--file=-`, req.tag, head], { cwd: dir, input: req.message });
  const object = await git.revParse(dir, `refs/tags/${req.tag}`);
  await git.run(['config', '--worktree', configKey(req.tag), object], { cwd: dir });
  return { commit: head, object };
}

export interface PushTagRequest extends RemoteAccess, OperationHooks {
  tag: string;
  force?: boolean | undefined;
}

/**
 * Pushes a tag made by {@link tag} in `checkout` (verified here unless the step already did).
 * Pushing a tag the remote already has (same object) is a no-op.
 * @throws DomainError('StepFailed') when the remote holds the tag on something else and `force` is unset.
 */
export async function pushTag(
  deps: { git: GitCommand; mirrors: Mirrors; stats: GitStats },
  checkout: Checkout,
  req: PushTagRequest,
): Promise<{ tag: string; commit: string }> {
  const { git, mirrors } = deps;
  checkName(req.tag);
  const info = await ownCheckoutOf(git, mirrors, checkout, { absent: 'undefined' });
  if (!info?.repoURL) throw new DomainError('StepFailed', 'push path is not the top of a git checkout');
  const dir = info.dir;
  const recorded = (await git.run(['config', '--worktree', '--get', configKey(req.tag)], { cwd: dir, allowFailure: true })).stdout.trim();
  const object = recorded || (await git.tryRevParse(dir, `refs/tags/${req.tag}`));
  if (!object) throw new DomainError('StepFailed', `tag ${JSON.stringify(req.tag)} does not exist in the checkout (run git-tag first)`);
  const commit = await git.revParse(dir, `${object}^{commit}`);
  const args = ['push', '--porcelain', 'origin', `${object}:refs/tags/${req.tag}`];
  if (req.force) args.splice(1, 0, '--force');
  args.unshift(...(await checkGitRemote(info.repoURL)));
  const res = await mirrors.withLock(info.commonDir, () =>
    git.run(args, { cwd: dir, access: req, remoteURL: info.repoURL, allowFailure: true, heartbeat: req.heartbeat, signal: req.signal }),
  );
  deps.stats.pushes++;
  if (res.code !== 0) {
    if (/\[rejected\].*already exists|\(already exists\)/i.test(res.stdout + res.stderr)) {
      throw new DomainError(
        'StepFailed',
        `tag ${JSON.stringify(req.tag)} already exists on ${displayURL(info.repoURL as string)} on another commit; set force: true to move it`,
      );
    }
    throw commandError(args, res, req, info.repoURL);
  }
  return { tag: req.tag, commit };
}
