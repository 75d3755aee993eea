/** GitService: the one object activities use for git; it wires the modules of this folder. */
import * as path from 'node:path';
import { checkoutWrites, type CheckoutWrites } from '../checkout-writes.js';
import { checkout, type CheckoutDeps, type CheckoutRequest, type CheckoutResult } from './checkout.js';
import { commit, headMessage, isDirty, type CommitRequest, type CommitResult } from './commit.js';
import { GitCommand } from './git-command.js';
import { MirrorLocks } from './mirror-locks.js';
import { MirrorHistory } from './mirror-history.js';
import { MirrorReads, type MirrorRemote } from './mirror-reads.js';
import { Mirrors } from './mirror.js';
import { FormingBatches } from './forming-batches.js';
import { MAX_PUSHES_TOGETHER, push, type PushDeps, type PushJob, type PushRequest, type PushResult } from './push.js';
import { pushHeadToRef, resetToRemoteBranch } from './remote-ref.js';
import { displayURL } from './redact.js';
import { pruneMirrors, releaseWorktrees } from './release-worktrees.js';
import { ALLOW_LOCAL_SUBMODULES_ENV, checkoutSubmodules, type SubmoduleCheckout, type SubmoduleRequest } from './submodules.js';
import { pushTag, tag, type PushTagRequest, type TagRequest, type TagResult } from './tag.js';
import type { GitIdentity, GitStats, OperationHooks, RemoteAccess } from './types.js';
import { ownCheckout, ownCheckoutOf, type Checkout } from './own-checkout.js';
import type { WorktreeInfo } from './worktree-info.js';
import { WorktreePool } from './worktree-pool.js';

export interface GitServiceOptions {
  /** The worker's data directory; mirrors live in `<dataDir>/git/mirrors`. */
  dataDir: string;
  /**
   * The environment every git command starts from (default: `process.env`). Tests pass a
   * hermetic one (`GIT_CONFIG_GLOBAL=/dev/null`, `GIT_CONFIG_NOSYSTEM=1`, fixed dates).
   */
  env?: Record<string, string | undefined>;
  /** Author of commits when a checkout names none (default `Shunt <shunt@localhost>`). */
  defaultAuthor?: GitIdentity;
  /** Send credentials over plain `http://` to non-loopback hosts (Kargo refuses by default). */
  allowCredentialsOverHTTP?: boolean;
  /** First delay between push attempts after a rejection (default 1000 ms; ×1.5, jitter, cap 30 s). */
  pushBackoffMs?: number;
  /** Give up waiting for another process's mirror lock after this long (default 10 min). */
  lockTimeoutMs?: number;
  /** Heartbeat interval while a git process runs (default 2000 ms). */
  heartbeatIntervalMs?: number;
  /** Park released checkouts for reuse by the next promotion (default true; see worktree-pool.ts). */
  reuseWorktrees?: boolean;
  /**
   * Commit by staging only the directories steps wrote in since git made the checkout, instead of
   * walking its whole tree (checkout-writes.ts). The worker turns it on: its steps write only
   * through Workspace.resolveForWrite. Code that writes into checkouts by other means leaves it
   * off (default), and every change is found by the walk.
   */
  stageWhereStepsWrote?: boolean;
}

const DEFAULT_AUTHOR: GitIdentity = { name: 'Shunt', email: 'shunt@localhost' };

/** A lock file older than this is taken to be left behind by a dead process. */
const LOCK_STALE_MS = 10 * 60_000;

export class GitService {
  /** Mirror creations and fetches since this service started (tests assert reuse with these). */
  readonly stats: GitStats = { mirrorsCreated: 0, mirrorFetches: 0, pushes: 0 };
  readonly mirrorsRoot: string;
  private readonly git: GitCommand;
  private readonly mirrors: Mirrors;
  private readonly checkoutDeps: CheckoutDeps;
  private readonly pushDeps: PushDeps;
  private readonly pool: WorktreePool | undefined;
  private readonly allowLocalSubmodules: boolean;
  private readonly writes: CheckoutWrites | undefined;

  constructor(opts: GitServiceOptions) {
    this.writes = opts.stageWhereStepsWrote ? checkoutWrites : undefined;
    this.mirrorsRoot = path.join(path.resolve(opts.dataDir), 'git', 'mirrors');
    this.git = new GitCommand({
      dataDir: opts.dataDir,
      env: opts.env ?? process.env,
      allowCredentialsOverHTTP: opts.allowCredentialsOverHTTP ?? false,
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 2000,
    });
    const locks = new MirrorLocks(opts.lockTimeoutMs ?? 10 * 60_000, LOCK_STALE_MS);
    this.mirrors = new Mirrors(this.mirrorsRoot, this.git, locks, this.stats);
    const shared = { git: this.git, mirrors: this.mirrors, stats: this.stats };
    this.pool = opts.reuseWorktrees === false ? undefined : new WorktreePool(this.git, path.join(path.dirname(this.mirrorsRoot), 'pool'), locks);
    this.checkoutDeps = { ...shared, defaultAuthor: opts.defaultAuthor ?? DEFAULT_AUTHOR, ...(this.pool ? { pool: this.pool } : {}) };
    this.pushDeps = { ...shared, backoffMs: opts.pushBackoffMs ?? 1000, batches: new FormingBatches<PushJob>(MAX_PUSHES_TOGETHER) };
    this.allowLocalSubmodules = (opts.env ?? process.env)[ALLOW_LOCAL_SUBMODULES_ENV]?.trim().toLowerCase() === 'true';
  }

  /** `<mirrorsRoot>/<sha1(normalized url)>.git`: every spelling of one repository shares it. */
  mirrorDir(repoURL: string): string {
    return this.mirrors.dir(repoURL);
  }

  /**
   * Makes the mirror of `repoURL` current: creates it the first time, fetches (new objects only)
   * afterwards. Returns its directory.
   */
  async syncMirror(repoURL: string, opts: RemoteAccess & OperationHooks = {}): Promise<string> {
    return this.mirrors.sync(repoURL, opts);
  }

  /** Read-only views of the mirrors for warehouse discovery, through this service's git runner. */
  history(): MirrorHistory {
    return new MirrorHistory(this.git);
  }

  /** Read-only views of the mirrors for the api's read models (changes, compare), through this service's git runner. */
  /** Read-only views of the mirror of `remote.repoURL`, fetching what it lacks as `remote` allows. */
  reads(remote: MirrorRemote): MirrorReads {
    return new MirrorReads(this.git, remote);
  }

  /**
   * Describes `dir` when it is the top of one of this worker's checkouts; undefined when `dir`
   * holds no `.git` at all.
   *
   * @throws DomainError('StepFailed') when `dir` holds a `.git` that is not a worktree of this
   *   worker's mirror of its repository (no git command runs there then).
   */
  async worktreeInfo(dir: string): Promise<WorktreeInfo | undefined> {
    return ownCheckout(this.git, this.mirrors, dir, { absent: 'undefined' });
  }

  /** `checkout` verified to be this worker's (see worktreeInfo), unless the step already did; else StepFailed. */
  private async verified(checkout: Checkout): Promise<WorktreeInfo> {
    return ownCheckoutOf(this.git, this.mirrors, checkout, { absent: 'throw' });
  }

  /**
   * Checks out `repoURL` at a branch, commit or tag into `dir` as a worktree of the mirror.
   * Idempotent: when `dir` already holds this very checkout it is reused as it is (including
   * any commits made there since).
   *
   * @throws DomainError('StepFailed') for a missing branch/commit/tag, or when `dir` holds
   *   something else.
   */
  async checkout(req: CheckoutRequest): Promise<CheckoutResult> {
    const result = await checkout(this.checkoutDeps, req);
    if (!result.reused) this.writes?.checkedOut(req.dir);
    return result;
  }

  /**
   * Checks out the submodules of the checkout at `req.dir` recursively, each as a checkout of its
   * own repository's mirror (see submodules.ts for the rules `.gitmodules` must follow).
   */
  async checkoutSubmodules(req: SubmoduleRequest): Promise<SubmoduleCheckout[]> {
    await this.verified(req.dir);
    return checkoutSubmodules(this.checkoutDeps, req, this.allowLocalSubmodules);
  }

  async head(dir: string): Promise<string> {
    await this.verified(dir);
    return this.git.revParse(dir, 'HEAD');
  }

  /** The full message of HEAD. */
  async headMessage(dir: string): Promise<string> {
    await this.verified(dir);
    return headMessage(this.git, dir);
  }

  /** Whether the worktree has changes (tracked or untracked) compared to HEAD. */
  async isDirty(dir: string): Promise<boolean> {
    await this.verified(dir);
    return isDirty(this.git, dir);
  }

  /**
   * Stages everything steps changed and commits. Nothing to commit is not an error: the result is
   * the current HEAD with `created: false`.
   */
  async commit(checkout: Checkout, req: CommitRequest): Promise<CommitResult> {
    const { dir } = await this.verified(checkout);
    return commit(this.git, dir, req, this.writes?.toStage(dir));
  }

  /**
   * Pushes HEAD of the checkout at `dir` to a branch of its remote.
   *
   * Idempotent: when the remote branch already contains HEAD nothing is pushed. A remote that
   * moved on is integrated by rebasing onto it (not with `force`), then pushed again, up to
   * `maxAttempts` times with backoff. Pushes waiting for the same branch go as one (push.ts).
   *
   * @throws DomainError('StepFailed') on a rebase conflict or when there is no branch to push to.
   */
  async push(checkout: Checkout, req: PushRequest = {}): Promise<PushResult> {
    return push(this.pushDeps, checkout, req);
  }

  /** Pushes waiting for their branch's push lock, in batches not yet started. */
  pushesWaiting(): number {
    return this.pushDeps.batches.waiting();
  }

  /** Rebases onto the remote branch (`integrate`) and force-pushes HEAD to a full ref (remote-ref.ts). */
  async pushHeadToRef(dir: string, req: RemoteAccess & OperationHooks & { ref: string; branch: string; integrate: boolean }): Promise<{ head: string; remote: string | undefined }> {
    return pushHeadToRef(this.pushDeps, dir, req);
  }

  /** Moves the checkout to the remote branch's head after a push made elsewhere (remote-ref.ts). */
  async resetToRemoteBranch(dir: string, req: RemoteAccess & OperationHooks & { branch: string }): Promise<string> {
    return resetToRemoteBranch(this.pushDeps, dir, req);
  }

  /**
   * Compares two branches of `repoURL` (after bringing the mirror up to date): their heads, whether
   * their trees differ, and the subject of the source's head commit.
   */
  async compareBranches(
    repoURL: string,
    source: string,
    target: string,
    opts: RemoteAccess & OperationHooks = {},
  ): Promise<{ source?: string; target?: string; differs: boolean; subject?: string }> {
    const mirror = await this.mirrors.sync(repoURL, opts);
    const src = await this.git.tryRevParse(mirror, `refs/remotes/origin/${source}^{commit}`);
    const dst = await this.git.tryRevParse(mirror, `refs/remotes/origin/${target}^{commit}`);
    const out: { source?: string; target?: string; differs: boolean; subject?: string } = { differs: false };
    if (src) out.source = src;
    if (dst) out.target = dst;
    if (src && dst) {
      const diff = await this.git.run(['diff', '--quiet', '--no-ext-diff', '--no-textconv', dst, src], { cwd: mirror, allowFailure: true });
      out.differs = diff.code !== 0;
    }
    if (src) out.subject = (await this.git.run(['log', '-1', '--format=%s', src], { cwd: mirror })).stdout.trim();
    return out;
  }

  /** Makes an annotated tag on HEAD of `checkout` (see tag.ts). */
  async tag(checkout: Checkout, req: TagRequest): Promise<TagResult> {
    return tag(this.git, (await this.verified(checkout)).dir, req);
  }

  /** Pushes a tag made in `checkout` (verified in tag.ts); a tag the remote already has is a no-op. */
  async pushTag(checkout: Checkout, req: PushTagRequest): Promise<{ tag: string; commit: string }> {
    return pushTag(this.pushDeps, checkout, req);
  }

  /**
   * Forgets every worktree under `root` in every mirror: parked for reuse or deleted, their
   * entries gone from the mirrors. Idempotent. The caller deletes `root` itself afterwards.
   */
  async releaseWorktrees(root: string): Promise<void> {
    this.writes?.forgetUnder(root);
    return releaseWorktrees(this.mirrors, root, this.pool);
  }

  /** Prunes every mirror of worktrees deleted without a release (once, when a worker starts). */
  async pruneMirrors(): Promise<void> {
    return pruneMirrors(this.git, this.mirrors);
  }

  /** Resolves once the background work of released checkouts (see worktree-pool.ts) is done. */
  async idle(): Promise<void> {
    await this.pool?.idle();
  }

  /** The URL as shown in messages: without userinfo. */
  displayURL(url: string): string {
    return displayURL(url);
  }
}
