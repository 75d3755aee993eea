/** A promotion's checkout: a worktree of the mirror with a detached HEAD, created or reused. */
import * as fs from 'node:fs';
import { DomainError } from '../../../core/errors.js';
import { createRemoteBranch } from './create-branch.js';
import type { GitCommand } from './git-command.js';
import type { Mirrors } from './mirror.js';
import { displayURL } from './redact.js';
import { isCommitId, isValidRefName } from './refs.js';
import type { GitIdentity, GitStats, OperationHooks, RemoteAccess } from './types.js';
import { ownCheckout } from './own-checkout.js';
import { recordSigningKey } from './signing.js';
import { writeWorktreeSettings } from './worktree-config.js';
import { addWorktreeEntry } from './worktree-entry.js';
import { PARKED_REF, isParked, sparseKey, type WorktreePool } from './worktree-pool.js';
import { checkGitRemote } from '../egress/egress-connect.js';

export interface CheckoutRequest extends RemoteAccess, OperationHooks {
  repoURL: string;
  /** Absolute directory of the checkout (already confined to the workspace by the caller). */
  dir: string;
  /** At most one of branch / commit / tag; none = the remote's default branch. */
  branch?: string | undefined;
  commit?: string | undefined;
  tag?: string | undefined;
  /** Create a missing branch as an orphan with an empty "Initial commit" and push it. */
  create?: boolean | undefined;
  /** Cone-mode sparse checkout of these directories. */
  sparse?: string[] | undefined;
  /** Make the mirror, when this checkout creates it, a partial clone without blobs (see mirror.ts). */
  blobless?: boolean | undefined;
  /**
   * Make the mirror, when this checkout creates it, shallow (this many commits per ref); without
   * it a shallow mirror is unshallowed first, since this checkout may need full history.
   */
  depth?: number | undefined;
  author?: GitIdentity | undefined;
  /** Sign the commits made in this checkout with this key (see signing.ts). */
  signingKey?: string | undefined;
}

export interface CheckoutResult {
  commit: string;
  /** True when the directory already held this checkout (a re-run). */
  reused: boolean;
  /** The branch the checkout tracks, if any. */
  branch?: string;
}

export interface CheckoutDeps {
  git: GitCommand;
  mirrors: Mirrors;
  stats: GitStats;
  /** Author of commits when a checkout names none. */
  defaultAuthor: GitIdentity;
  /** Parked worktrees to reuse (see worktree-pool.ts). */
  pool?: WorktreePool;
}

/**
 * Checks out `repoURL` at a branch, commit or tag into `dir` as a worktree of the mirror.
 * Idempotent: when `dir` already holds this very checkout it is reused as it is (including
 * any commits made there since).
 *
 * @throws DomainError('StepFailed') for a missing branch/commit/tag, or when `dir` holds
 *   something else.
 */
export async function checkout(deps: CheckoutDeps, req: CheckoutRequest): Promise<CheckoutResult> {
  const { git, mirrors } = deps;
  const wantedRef = req.branch
    ? `branch:${req.branch}`
    : req.commit
      ? `commit:${req.commit}`
      : req.tag
        ? `tag:${req.tag}`
        : 'default';
  const mirror = mirrors.dir(req.repoURL);
  const shown = displayURL(req.repoURL);
  if (req.commit !== undefined && !isCommitId(req.commit)) {
    throw new DomainError('StepFailed', `commit ${JSON.stringify(req.commit)} is not a commit id`);
  }
  for (const [what, name] of [
    ['branch', req.branch],
    ['tag', req.tag],
  ] as const) {
    if (name !== undefined && !isValidRefName(name)) {
      throw new DomainError('StepFailed', `${what} ${JSON.stringify(name)} is not a valid git ref name`);
    }
  }

  const existing = await ownCheckout(git, mirrors, req.dir, { absent: 'undefined' });
  // A worktree taken from the pool whose reset a crash interrupted: finish taking it.
  let reuse = isParked(existing?.ref) && fs.existsSync(mirror) && existing?.commonDir === fs.realpathSync(mirror);
  const interruptedTake = reuse && existing?.ref !== PARKED_REF;
  if (existing && !reuse) {
    const sameMirror = fs.existsSync(mirror) && existing.commonDir === fs.realpathSync(mirror);
    if (sameMirror && (existing.ref === undefined || existing.ref === wantedRef || wantedRef === 'default')) {
      const head = await git.revParse(req.dir, 'HEAD');
      if (existing.ref === undefined) {
        // Crashed between `worktree add` and recording what it is for: no step ran in it, and its
        // files may not all be there. Write them again and adopt it.
        await writeFiles(git, req, head);
        await recordCheckout(deps, req, wantedRef, req.branch);
      }
      const result: CheckoutResult = { commit: head, reused: true };
      const branch = existing.branch ?? req.branch;
      if (branch) result.branch = branch;
      return result;
    }
    throw new DomainError(
      'StepFailed',
      `checkout path already holds ${existing.repoURL ? displayURL(existing.repoURL) : 'another repository'}` +
        ` (${existing.ref ?? 'unknown ref'}); cannot check out ${shown} (${wantedRef}) there`,
    );
  }
  if (!reuse && fs.existsSync(req.dir)) {
    const entries = await fs.promises.readdir(req.dir);
    if (entries.length > 0) {
      throw new DomainError('StepFailed', `checkout path exists and is not empty; cannot check out ${shown} there`);
    }
  }

  await mirrors.sync(req.repoURL, { ...req, fullHistory: req.depth === undefined });
  let branch = req.branch;
  const author = req.author ?? deps.defaultAuthor;
  const head = await mirrors.withLock(mirror, async (): Promise<string> => {
    let start: string | undefined;
    if (req.commit) {
      start = await git.tryRevParse(mirror, `${req.commit}^{commit}`);
      // A shallow mirror may lack an older commit: unshallow it and look again.
      if (!start && (await mirrors.unshallow(mirror, req.repoURL, req, req))) start = await git.tryRevParse(mirror, `${req.commit}^{commit}`);
      if (!start) throw new DomainError('StepFailed', `commit ${req.commit} not found in ${shown}`);
    } else if (req.tag) {
      start = await git.tryRevParse(mirror, `refs/tags/${req.tag}^{commit}`);
      if (!start) throw new DomainError('StepFailed', `tag ${JSON.stringify(req.tag)} not found in ${shown}`);
    } else {
      if (!branch) branch = await defaultBranch(git, mirror, req);
      start = await git.tryRevParse(mirror, `refs/remotes/origin/${branch}^{commit}`);
      if (!start) {
        if (!req.create) {
          throw new DomainError(
            'StepFailed',
            `remote branch ${JSON.stringify(branch)} of ${shown} does not exist; set create: true to create it`,
          );
        }
        start = await createRemoteBranch(deps, mirror, req, branch, author);
      }
    }
    // A partial (blobless) mirror first gets the file contents of this commit, with credentials.
    await mirrors.fetchBlobsFor(mirror, req.repoURL, start, req.sparse, req, req);
    if (!reuse && deps.pool) reuse = await deps.pool.take(mirror, sparseKey(req.sparse), req.dir, req);
    if (!reuse) addWorktreeEntry(mirror, req.dir, start);
    return start;
  });
  // The mirror's lock covers what other commands in the mirror read: the worktree's entry, whole
  // once addWorktreeEntry (without the files) or the pool's move returns. A fetch reads every
  // worktree's HEAD, and one beside an unfinished entry fails ("bad object worktrees/<id>/HEAD":
  // bench/README.md, stop 33). What follows is this
  // worktree's own (its files, index and config, the config written whole and renamed), so the
  // repository's other checkouts need not wait for it.
  if (reuse && deps.pool) await deps.pool.reset(req.dir, head, { heartbeat: req.heartbeat, signal: req.signal, dirty: interruptedTake });
  else await writeFiles(git, req, head);
  // Last: a checkout recorded is complete. One a crash left unrecorded is adopted, its files
  // written again; one taken from the pool still carries the pool's mark.
  await recordCheckout(deps, req, wantedRef, branch);
  // HEAD is the commit checked out (detached), so it needs no asking.
  const result: CheckoutResult = { commit: head, reused: false };
  if (branch) result.branch = branch;
  return result;
}

/** Writes the files and index of a worktree added without them, at `commit` (its HEAD). */
async function writeFiles(git: GitCommand, req: CheckoutRequest, commit: string): Promise<void> {
  const hooks = { heartbeat: req.heartbeat, signal: req.signal };
  if (req.sparse && req.sparse.length > 0) {
    await git.run(['sparse-checkout', 'set', '--cone', '--', ...req.sparse], { cwd: req.dir });
    await git.run(['reset', '--quiet', '--hard'], { cwd: req.dir, ...hooks });
  } else {
    await git.run(['checkout', '--quiet', '--force', '--detach', commit], { cwd: req.dir, ...hooks });
  }
}

/** Records in the worktree's own config what it is for, and its commit author. */
async function recordCheckout(
  deps: CheckoutDeps,
  req: CheckoutRequest,
  wantedRef: string,
  branch: string | undefined,
): Promise<void> {
  const author = req.author ?? deps.defaultAuthor;
  const shunt: Record<string, string> = { ref: wantedRef, sparse: sparseKey(req.sparse) };
  if (branch) shunt['branch'] = branch;
  await writeWorktreeSettings(req.dir, {
    user: { name: author.name, email: author.email },
    shunt,
    ...(req.insecureSkipTLSVerify ? { insecureSkipTLSVerify: true } : {}),
  });
  await recordSigningKey(req.dir, req.signingKey);
}

async function defaultBranch(git: GitCommand, mirror: string, access: CheckoutRequest): Promise<string> {
  const res = await git.run([...(await checkGitRemote(access.repoURL)), 'ls-remote', '--symref', 'origin', 'HEAD'], {
    cwd: mirror,
    access,
    remoteURL: access.repoURL,
    heartbeat: access.heartbeat,
    signal: access.signal,
  });
  const m = /^ref:\s+refs\/heads\/(\S+)\s+HEAD$/m.exec(res.stdout);
  if (!m?.[1]) {
    throw new DomainError('StepFailed', `cannot tell the default branch of ${displayURL(access.repoURL)}; name a branch`);
  }
  return m[1];
}
