/**
 * Git over the git CLI, built so that git cost does not grow with history (DESIGN.md):
 *
 * - The worker keeps ONE bare mirror per repository under
 *   `<dataDir>/git/mirrors/<sha1(normalized url)>.git`. It is created once (`init --bare` +
 *   `fetch`) and afterwards only fetched, so a promotion downloads only new objects.
 * - Remote branches live in the mirror as `refs/remotes/origin/*`; `refs/heads/*` stay unused,
 *   so concurrent promotions never fight over a branch.
 * - A promotion's checkout is a `git worktree` of the mirror inside its workspace, with a
 *   detached HEAD. What the checkout is *for* (repo URL, branch) is recorded in the worktree's
 *   own config (`shunt.*`, via `extensions.worktreeConfig`), as is the commit author.
 * - Everything touching the mirror's shared state (fetch, push, worktree add/prune) runs under
 *   an in-process mutex per mirror plus a lock file, so several workers' processes can share a
 *   data dir safely.
 * - Housekeeping is git's own: auto-gc runs in the foreground (autoDetach off), so it happens
 *   inside the locked fetch, never behind a promotion's back.
 * - Credentials never go into URLs, argv or config files: they are passed per command through
 *   `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n` as an `http.extraHeader`, and
 *   every message that leaves this module is redacted.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError } from '../../core/errors.js';
import { normalizeGitURL, type RepoCredentials } from './credentials.js';

export interface GitIdentity {
  name: string;
  email: string;
}

/** How to reach a remote. */
export interface RemoteAccess {
  credentials?: RepoCredentials | undefined;
  insecureSkipTLSVerify?: boolean | undefined;
}

/** Hooks for long operations: heartbeats while git runs, cancellation. */
export interface OperationHooks {
  heartbeat?: (() => void) | undefined;
  signal?: AbortSignal | undefined;
}

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
}

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
  author?: GitIdentity | undefined;
}

export interface CheckoutResult {
  commit: string;
  /** True when the directory already held this checkout (a re-run). */
  reused: boolean;
  /** The branch the checkout tracks, if any. */
  branch?: string;
}

/** What a directory holds, when it is the top of a git worktree. */
export interface WorktreeInfo {
  dir: string;
  /** The repository's common git dir (the mirror, for Shunt's checkouts). */
  commonDir: string;
  /** `remote.origin.url`. */
  repoURL?: string;
  /** The branch this checkout tracks (`shunt.branch`). */
  branch?: string;
  /** What was asked for: `branch:<b>`, `commit:<sha>`, `tag:<t>` (`shunt.ref`). */
  ref?: string;
  /** `http.sslVerify=false` recorded by a checkout with insecureSkipTLSVerify. */
  insecureSkipTLSVerify?: boolean;
}

export interface CommitRequest {
  message: string;
  /** Overrides the checkout's configured author (git-commit's deprecated `author`). */
  author?: GitIdentity | undefined;
  /** Trailers appended with `git commit --trailer`. */
  trailers?: Record<string, string>;
}

export interface CommitResult {
  commit: string;
  /** False when there was nothing to commit. */
  created: boolean;
}

export interface PushRequest extends RemoteAccess, OperationHooks {
  /** Default: the branch the checkout tracks. */
  targetBranch?: string | undefined;
  force?: boolean | undefined;
  /** Attempts when the remote rejects a non-fast-forward (default 10). */
  maxAttempts?: number | undefined;
}

export interface PushResult {
  branch: string;
  commit: string;
  /** False when the remote branch already contained the commit (nothing was pushed). */
  pushed: boolean;
  attempts: number;
}

interface GitRun {
  stdout: string;
  stderr: string;
  code: number;
}

interface RunOptions extends OperationHooks {
  cwd: string;
  access?: RemoteAccess | undefined;
  /** The URL the command talks to (to decide about http credentials, and for messages). */
  remoteURL?: string | undefined;
  input?: string;
  extraEnv?: Record<string, string>;
  /** Resolve with a non-zero exit code instead of throwing. */
  allowFailure?: boolean;
}

const DEFAULT_AUTHOR: GitIdentity = { name: 'Shunt', email: 'shunt@localhost' };

/** Inherited variables that would point git at another repository or identity. */
const STRIPPED_ENV = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_COMMON_DIR',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_ASKPASS',
  'SSH_ASKPASS',
];

const AUTH_FAILURE =
  /authentication failed|could not read (username|password)|terminal prompts disabled|access denied|returned error: 40[13]|\b40[13]\b.*(unauthorized|forbidden)|permission denied \(publickey|invalid username or password/i;
const UNREACHABLE =
  /could not resolve host|failed to connect|connection refused|connection timed out|timed out|unable to access|could not read from remote repository|does not appear to be a git repository|repository .*not found|returned error: 5\d\d|empty reply from server|ssl|tls|early eof|the remote end hung up/i;
const PUSH_REJECTED = /\[rejected\]|\[remote rejected\].*(fetch first|non-fast-forward|stale info|cannot lock ref)|non-fast-forward|fetch first|stale info|failed to update ref|cannot lock ref/i;

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/** Scrub credentials (and URL userinfo) out of text. */
export function redact(text: string, access?: RemoteAccess): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^@/\s]*@/gi, '$1***@');
  const creds = access?.credentials;
  if (creds) {
    const secrets: string[] = [];
    if (creds.password) {
      secrets.push(basicHeaderValue(creds), creds.password, encodeURIComponent(creds.password));
    }
    for (const s of secrets.filter((v) => v.length > 0).sort((a, b) => b.length - a.length)) {
      out = out.split(s).join('***');
    }
  }
  return out;
}

function basicHeaderValue(creds: RepoCredentials): string {
  return Buffer.from(`${creds.username ?? ''}:${creds.password ?? ''}`, 'utf8').toString('base64');
}

/** Serializes work per key: in-process promise chain plus a lock file for other processes. */
class MirrorLocks {
  private readonly tails = new Map<string, Promise<void>>();
  constructor(
    private readonly timeoutMs: number,
    private readonly staleMs: number,
  ) {}

  async with<T>(lockFile: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(lockFile) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(lockFile, tail);
    await prev;
    try {
      await this.acquireFile(lockFile);
      const refresher = setInterval(() => {
        const now = new Date();
        fs.utimes(lockFile, now, now, () => undefined);
      }, Math.max(1000, Math.floor(this.staleMs / 4)));
      refresher.unref();
      try {
        return await fn();
      } finally {
        clearInterval(refresher);
        await fs.promises.rm(lockFile, { force: true });
      }
    } finally {
      release();
      if (this.tails.get(lockFile) === tail) this.tails.delete(lockFile);
    }
  }

  private async acquireFile(lockFile: string): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    let delay = 25;
    for (;;) {
      try {
        const fh = await fs.promises.open(lockFile, 'wx');
        await fh.writeFile(`${process.pid} ${new Date().toISOString()}\n`);
        await fh.close();
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      try {
        const st = await fs.promises.stat(lockFile);
        if (Date.now() - st.mtimeMs > this.staleMs) {
          await fs.promises.rm(lockFile, { force: true });
          continue;
        }
      } catch {
        continue;
      }
      if (Date.now() > deadline) {
        throw new DomainError('Unavailable', `git mirror is busy: lock ${path.basename(lockFile)} held by another process`);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 500);
    }
  }
}

export class GitService {
  /** Mirror creations and fetches since this service started (tests assert reuse with these). */
  readonly stats = { mirrorsCreated: 0, mirrorFetches: 0, pushes: 0 };
  readonly mirrorsRoot: string;
  private readonly baseEnv: Record<string, string>;
  private readonly defaultAuthor: GitIdentity;
  private readonly allowCredentialsOverHTTP: boolean;
  private readonly pushBackoffMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly locks: MirrorLocks;

  constructor(opts: GitServiceOptions) {
    this.mirrorsRoot = path.join(path.resolve(opts.dataDir), 'git', 'mirrors');
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.env ?? process.env)) {
      if (v !== undefined && !STRIPPED_ENV.includes(k)) env[k] = v;
    }
    env['GIT_TERMINAL_PROMPT'] = '0';
    env['GIT_EDITOR'] = 'true';
    env['GIT_SEQUENCE_EDITOR'] = 'true';
    env['GIT_MERGE_AUTOEDIT'] = 'no';
    env['LC_ALL'] = 'C';
    this.baseEnv = env;
    this.defaultAuthor = opts.defaultAuthor ?? DEFAULT_AUTHOR;
    this.allowCredentialsOverHTTP = opts.allowCredentialsOverHTTP ?? false;
    this.pushBackoffMs = opts.pushBackoffMs ?? 1000;
    this.heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 2000;
    this.locks = new MirrorLocks(opts.lockTimeoutMs ?? 10 * 60_000, 10 * 60_000);
  }

  /** `<mirrorsRoot>/<sha1(normalized url)>.git`: every spelling of one repository shares it. */
  mirrorDir(repoURL: string): string {
    return path.join(this.mirrorsRoot, `${sha1(normalizeGitURL(repoURL))}.git`);
  }

  // ---- mirrors ------------------------------------------------------------------------------

  /**
   * Makes the mirror of `repoURL` current: creates it the first time, fetches (new objects only)
   * afterwards. Returns its directory.
   */
  async syncMirror(repoURL: string, opts: RemoteAccess & OperationHooks = {}): Promise<string> {
    const dir = this.mirrorDir(repoURL);
    await this.withMirrorLock(dir, () => this.syncMirrorLocked(dir, repoURL, opts));
    return dir;
  }

  private async withMirrorLock<T>(mirror: string, fn: () => Promise<T>): Promise<T> {
    await fs.promises.mkdir(path.dirname(mirror), { recursive: true });
    return this.locks.with(`${mirror}.lock`, fn);
  }

  private async syncMirrorLocked(dir: string, repoURL: string, opts: RemoteAccess & OperationHooks): Promise<void> {
    const exists = fs.existsSync(path.join(dir, 'HEAD')) && fs.existsSync(path.join(dir, 'config.worktree'));
    if (!exists) {
      await fs.promises.rm(dir, { recursive: true, force: true });
      await fs.promises.mkdir(dir, { recursive: true });
      await this.git(['init', '--quiet', '--bare'], { cwd: dir });
      const settings: [string, string][] = [
        ['remote.origin.url', repoURL],
        ['remote.origin.fetch', '+refs/heads/*:refs/remotes/origin/*'],
        ['gc.autoDetach', 'false'],
        ['maintenance.autoDetach', 'false'],
        ['core.hooksPath', '/dev/null'],
        ['commit.gpgSign', 'false'],
        ['tag.gpgSign', 'false'],
        ['rebase.autoStash', 'false'],
        ['extensions.worktreeConfig', 'true'],
      ];
      for (const [k, v] of settings) await this.git(['config', k, v], { cwd: dir });
      await this.git(['config', '--add', 'remote.origin.fetch', '+refs/tags/*:refs/tags/*'], { cwd: dir });
      // With worktreeConfig on, core.bare must move to the main worktree's own config, or every
      // linked worktree would think it is bare too (see git-worktree(1), CONFIGURATION FILE).
      await this.git(['config', '--unset', 'core.bare'], { cwd: dir });
      await this.git(['config', '--worktree', 'core.bare', 'true'], { cwd: dir });
      this.stats.mirrorsCreated++;
    } else {
      this.stats.mirrorFetches++;
      await this.git(['config', 'remote.origin.url', repoURL], { cwd: dir });
    }
    await this.git(['fetch', '--quiet', '--prune', 'origin'], {
      cwd: dir,
      access: opts,
      remoteURL: repoURL,
      heartbeat: opts.heartbeat,
      signal: opts.signal,
    });
  }

  // ---- checkouts ----------------------------------------------------------------------------

  /** Describes `dir` when it is the top of a git worktree (ours or anyone's), else undefined. */
  async worktreeInfo(dir: string): Promise<WorktreeInfo | undefined> {
    try {
      const st = await fs.promises.lstat(path.join(dir, '.git'));
      if (!st.isFile() && !st.isDirectory()) return undefined;
    } catch {
      return undefined;
    }
    const res = await this.git(['rev-parse', '--path-format=absolute', '--git-common-dir', '--show-toplevel'], {
      cwd: dir,
      allowFailure: true,
    });
    if (res.code !== 0) return undefined;
    const [commonDir, top] = res.stdout.trim().split('\n');
    if (!commonDir || !top) return undefined;
    if (fs.realpathSync(top) !== fs.realpathSync(dir)) return undefined;
    const info: WorktreeInfo = { dir, commonDir: fs.realpathSync(commonDir) };
    const cfg = await this.git(['config', '--get-regexp', '^(shunt\\.|remote\\.origin\\.url$|http\\.sslverify$)'], {
      cwd: dir,
      allowFailure: true,
    });
    for (const line of cfg.stdout.split('\n')) {
      const sp = line.indexOf(' ');
      if (sp < 0) continue;
      const key = line.slice(0, sp);
      const value = line.slice(sp + 1);
      if (key === 'remote.origin.url') info.repoURL = value;
      else if (key === 'shunt.branch') info.branch = value;
      else if (key === 'shunt.ref') info.ref = value;
      else if (key === 'http.sslverify') info.insecureSkipTLSVerify = value === 'false';
    }
    return info;
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
    const wantedRef = req.branch
      ? `branch:${req.branch}`
      : req.commit
        ? `commit:${req.commit}`
        : req.tag
          ? `tag:${req.tag}`
          : 'default';
    const mirror = this.mirrorDir(req.repoURL);
    const shown = this.displayURL(req.repoURL);
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

    const existing = await this.worktreeInfo(req.dir);
    if (existing) {
      const sameMirror = fs.existsSync(mirror) && existing.commonDir === fs.realpathSync(mirror);
      if (sameMirror && (existing.ref === undefined || existing.ref === wantedRef || wantedRef === 'default')) {
        if (existing.ref === undefined) {
          // Crashed between `worktree add` and recording what it is for: adopt it.
          await this.recordCheckout(req, wantedRef, req.branch);
        }
        const head = await this.revParse(req.dir, 'HEAD');
        const result: CheckoutResult = { commit: head, reused: true };
        const branch = existing.branch ?? req.branch;
        if (branch) result.branch = branch;
        return result;
      }
      throw new DomainError(
        'StepFailed',
        `checkout path already holds ${existing.repoURL ? this.displayURL(existing.repoURL) : 'another repository'}` +
          ` (${existing.ref ?? 'unknown ref'}); cannot check out ${shown} (${wantedRef}) there`,
      );
    }
    if (fs.existsSync(req.dir)) {
      const entries = await fs.promises.readdir(req.dir);
      if (entries.length > 0) {
        throw new DomainError('StepFailed', `checkout path exists and is not empty; cannot check out ${shown} there`);
      }
    }

    await this.syncMirror(req.repoURL, req);
    let branch = req.branch;
    const author = req.author ?? this.defaultAuthor;
    await this.withMirrorLock(mirror, async () => {
      let start: string | undefined;
      if (req.commit) {
        start = await this.tryRevParse(mirror, `${req.commit}^{commit}`);
        if (!start) throw new DomainError('StepFailed', `commit ${req.commit} not found in ${shown}`);
      } else if (req.tag) {
        start = await this.tryRevParse(mirror, `refs/tags/${req.tag}^{commit}`);
        if (!start) throw new DomainError('StepFailed', `tag ${JSON.stringify(req.tag)} not found in ${shown}`);
      } else {
        if (!branch) branch = await this.defaultBranch(mirror, req);
        start = await this.tryRevParse(mirror, `refs/remotes/origin/${branch}^{commit}`);
        if (!start) {
          if (!req.create) {
            throw new DomainError(
              'StepFailed',
              `remote branch ${JSON.stringify(branch)} of ${shown} does not exist; set create: true to create it`,
            );
          }
          start = await this.createRemoteBranch(mirror, req, branch, author);
        }
      }
      await this.git(['worktree', 'prune'], { cwd: mirror });
      const args = ['worktree', 'add', '--quiet', '--detach'];
      if (req.sparse && req.sparse.length > 0) args.push('--no-checkout');
      await this.git([...args, req.dir, start], { cwd: mirror, heartbeat: req.heartbeat, signal: req.signal });
    });
    await this.recordCheckout(req, wantedRef, branch);
    if (req.sparse && req.sparse.length > 0) {
      await this.git(['sparse-checkout', 'set', '--cone', '--', ...req.sparse], { cwd: req.dir });
      await this.git(['reset', '--quiet', '--hard'], { cwd: req.dir, heartbeat: req.heartbeat, signal: req.signal });
    }
    const head = await this.revParse(req.dir, 'HEAD');
    const result: CheckoutResult = { commit: head, reused: false };
    if (branch) result.branch = branch;
    return result;
  }

  private async recordCheckout(req: CheckoutRequest, wantedRef: string, branch: string | undefined): Promise<void> {
    const author = req.author ?? this.defaultAuthor;
    const set = async (key: string, value: string): Promise<void> => {
      await this.git(['config', '--worktree', key, value], { cwd: req.dir });
    };
    await set('user.name', author.name);
    await set('user.email', author.email);
    await set('shunt.ref', wantedRef);
    if (branch) await set('shunt.branch', branch);
    if (req.insecureSkipTLSVerify) await set('http.sslVerify', 'false');
  }

  private async defaultBranch(mirror: string, access: CheckoutRequest): Promise<string> {
    const res = await this.git(['ls-remote', '--symref', 'origin', 'HEAD'], {
      cwd: mirror,
      access,
      remoteURL: access.repoURL,
      heartbeat: access.heartbeat,
      signal: access.signal,
    });
    const m = /^ref:\s+refs\/heads\/(\S+)\s+HEAD$/m.exec(res.stdout);
    if (!m?.[1]) {
      throw new DomainError('StepFailed', `cannot tell the default branch of ${this.displayURL(access.repoURL)}; name a branch`);
    }
    return m[1];
  }

  /** An orphan branch whose only commit is an empty "Initial commit", pushed to the remote. */
  private async createRemoteBranch(
    mirror: string,
    req: CheckoutRequest,
    branch: string,
    author: GitIdentity,
  ): Promise<string> {
    const tree = (await this.git(['mktree'], { cwd: mirror, input: '' })).stdout.trim();
    const commit = (
      await this.git(['commit-tree', tree, '-m', 'Initial commit'], {
        cwd: mirror,
        extraEnv: identityEnv(author),
      })
    ).stdout.trim();
    const push = await this.git(['push', '--quiet', 'origin', `${commit}:refs/heads/${branch}`], {
      cwd: mirror,
      access: req,
      remoteURL: req.repoURL,
      allowFailure: true,
      heartbeat: req.heartbeat,
      signal: req.signal,
    });
    this.stats.pushes++;
    if (push.code === 0) {
      await this.git(['update-ref', `refs/remotes/origin/${branch}`, commit], { cwd: mirror });
      return commit;
    }
    // Someone else created it meanwhile: take theirs.
    if (PUSH_REJECTED.test(push.stderr)) {
      await this.git(['fetch', '--quiet', '--prune', 'origin'], {
        cwd: mirror,
        access: req,
        remoteURL: req.repoURL,
      });
      const theirs = await this.tryRevParse(mirror, `refs/remotes/origin/${branch}^{commit}`);
      if (theirs) return theirs;
    }
    throw this.commandError(['push'], push, req, req.repoURL);
  }

  // ---- commits ------------------------------------------------------------------------------

  async head(dir: string): Promise<string> {
    return this.revParse(dir, 'HEAD');
  }

  /** The full message of HEAD. */
  async headMessage(dir: string): Promise<string> {
    return (await this.git(['log', '-1', '--format=%B', 'HEAD'], { cwd: dir })).stdout;
  }

  /** Whether the worktree has changes (tracked or untracked) compared to HEAD. */
  async isDirty(dir: string): Promise<boolean> {
    const res = await this.git(['status', '--porcelain', '--untracked-files=all'], { cwd: dir });
    return res.stdout.trim().length > 0;
  }

  /**
   * Stages everything and commits. Nothing to commit is not an error: the result is the current
   * HEAD with `created: false`.
   */
  async commit(dir: string, req: CommitRequest): Promise<CommitResult> {
    await this.git(['add', '--all'], { cwd: dir });
    const diff = await this.git(['diff', '--cached', '--quiet'], { cwd: dir, allowFailure: true });
    if (diff.code === 0) return { commit: await this.revParse(dir, 'HEAD'), created: false };
    const args = ['commit', '--quiet', '--no-verify', '--file=-'];
    for (const [k, v] of Object.entries(req.trailers ?? {})) args.push(`--trailer=${k}: ${v}`);
    const extraEnv = req.author
      ? { GIT_AUTHOR_NAME: req.author.name, GIT_AUTHOR_EMAIL: req.author.email }
      : undefined;
    await this.git(args, { cwd: dir, input: req.message, ...(extraEnv ? { extraEnv } : {}) });
    return { commit: await this.revParse(dir, 'HEAD'), created: true };
  }

  // ---- push ---------------------------------------------------------------------------------

  /**
   * Pushes HEAD of the checkout at `dir` to a branch of its remote.
   *
   * Idempotent: when the remote branch already contains HEAD nothing is pushed. A remote that
   * moved on is integrated by rebasing onto it (not with `force`), then pushed again, up to
   * `maxAttempts` times with backoff.
   *
   * @throws DomainError('StepFailed') on a rebase conflict or when there is no branch to push to.
   */
  async push(dir: string, req: PushRequest = {}): Promise<PushResult> {
    const info = await this.worktreeInfo(dir);
    if (!info) throw new DomainError('StepFailed', 'push path is not the top of a git checkout');
    if (!info.repoURL) throw new DomainError('StepFailed', 'the checkout has no origin remote');
    const repoURL = info.repoURL;
    const branch = req.targetBranch ?? info.branch;
    if (branch !== undefined && !isValidRefName(branch)) {
      throw new DomainError('StepFailed', `branch ${JSON.stringify(branch)} is not a valid git ref name`);
    }
    if (!branch) {
      throw new DomainError('StepFailed', 'the checkout is not on a branch (commit or tag checkout); set targetBranch');
    }
    const maxAttempts = Math.max(1, req.maxAttempts ?? 10);
    if (info.insecureSkipTLSVerify && req.insecureSkipTLSVerify === undefined) {
      req = { ...req, insecureSkipTLSVerify: true };
    }
    const mirror = info.commonDir;
    const remoteRef = `refs/remotes/origin/${branch}`;
    let delay = this.pushBackoffMs;

    for (let attempt = 1; ; attempt++) {
      await this.withMirrorLock(mirror, () =>
        this.git(['fetch', '--quiet', '--prune', 'origin'], {
          cwd: mirror,
          access: req,
          remoteURL: repoURL,
          heartbeat: req.heartbeat,
          signal: req.signal,
        }),
      );
      this.stats.mirrorFetches++;
      let head = await this.revParse(dir, 'HEAD');
      const remote = await this.tryRevParse(dir, `${remoteRef}^{commit}`);
      if (remote === head) return { branch, commit: head, pushed: false, attempts: attempt };
      if (remote && !req.force) {
        if (await this.isAncestor(dir, head, remote)) return { branch, commit: head, pushed: false, attempts: attempt };
        if (!(await this.isAncestor(dir, remote, head))) {
          head = await this.rebase(dir, remoteRef, branch, repoURL);
          if (head === remote) return { branch, commit: head, pushed: false, attempts: attempt };
        }
      }
      const args = ['push', '--porcelain', 'origin', `HEAD:refs/heads/${branch}`];
      if (req.force) args.splice(1, 0, '--force');
      const res = await this.withMirrorLock(mirror, () =>
        this.git(args, {
          cwd: dir,
          access: req,
          remoteURL: repoURL,
          allowFailure: true,
          heartbeat: req.heartbeat,
          signal: req.signal,
        }),
      );
      this.stats.pushes++;
      if (res.code === 0) return { branch, commit: head, pushed: true, attempts: attempt };
      const rejected = PUSH_REJECTED.test(res.stdout + res.stderr) && !AUTH_FAILURE.test(res.stderr);
      if (!rejected) throw this.commandError(args, res, req, repoURL);
      if (attempt >= maxAttempts) {
        throw new Error(
          `push to branch ${JSON.stringify(branch)} of ${this.displayURL(repoURL)} still rejected after ${attempt} attempts`,
        );
      }
      req.heartbeat?.();
      const jitter = 1 + (Math.random() - 0.5);
      await sleep(Math.min(30_000, delay * jitter), undefined, req.signal ? { signal: req.signal } : undefined);
      delay = Math.min(30_000, delay * 1.5);
    }
  }

  private async rebase(dir: string, onto: string, branch: string, repoURL: string): Promise<string> {
    const res = await this.git(['rebase', '--quiet', onto], { cwd: dir, allowFailure: true });
    if (res.code !== 0) {
      await this.git(['rebase', '--abort'], { cwd: dir, allowFailure: true });
      const conflict = /conflict/i.test(res.stdout + res.stderr);
      throw new DomainError(
        'StepFailed',
        conflict
          ? `cannot integrate the remote changes on branch ${JSON.stringify(branch)} of ${this.displayURL(repoURL)}: rebase conflict`
          : `rebase onto branch ${JSON.stringify(branch)} of ${this.displayURL(repoURL)} failed: ${redact(res.stderr.trim())}`,
      );
    }
    return this.revParse(dir, 'HEAD');
  }

  private async isAncestor(cwd: string, a: string, b: string): Promise<boolean> {
    const res = await this.git(['merge-base', '--is-ancestor', a, b], { cwd, allowFailure: true });
    return res.code === 0;
  }

  // ---- cleanup ------------------------------------------------------------------------------

  /**
   * Forgets every worktree under `root` in every mirror: their directories are deleted and the
   * mirrors pruned. Idempotent. The caller deletes `root` itself afterwards.
   */
  async releaseWorktrees(root: string): Promise<void> {
    const roots = new Set([path.resolve(root)]);
    try {
      roots.add(fs.realpathSync(root));
    } catch {
      /* already gone */
    }
    const within = (p: string): boolean =>
      [...roots].some((r) => p === r || p.startsWith(r.endsWith(path.sep) ? r : r + path.sep));
    let mirrors: string[];
    try {
      mirrors = (await fs.promises.readdir(this.mirrorsRoot)).filter((n) => n.endsWith('.git'));
    } catch {
      return;
    }
    for (const name of mirrors) {
      const mirror = path.join(this.mirrorsRoot, name);
      const admin = path.join(mirror, 'worktrees');
      let ids: string[];
      try {
        ids = await fs.promises.readdir(admin);
      } catch {
        continue;
      }
      const mine: string[] = [];
      for (const id of ids) {
        try {
          const gitdir = (await fs.promises.readFile(path.join(admin, id, 'gitdir'), 'utf8')).trim();
          const wt = path.dirname(gitdir);
          if (within(wt)) mine.push(wt);
        } catch {
          /* half-created entry: prune handles it */
        }
      }
      if (mine.length === 0) continue;
      await this.withMirrorLock(mirror, async () => {
        // Deepest first, so a checkout nested in another is removed before its parent.
        for (const wt of mine.sort((a, b) => b.length - a.length)) {
          await fs.promises.rm(wt, { recursive: true, force: true, maxRetries: 3 });
        }
        await this.git(['worktree', 'prune'], { cwd: mirror, allowFailure: true });
      });
    }
  }

  // ---- plumbing -----------------------------------------------------------------------------

  private async revParse(cwd: string, rev: string): Promise<string> {
    return (await this.git(['rev-parse', '--verify', rev], { cwd })).stdout.trim();
  }

  private async tryRevParse(cwd: string, rev: string): Promise<string | undefined> {
    const res = await this.git(['rev-parse', '--verify', '--quiet', rev], { cwd, allowFailure: true });
    const out = res.stdout.trim();
    return res.code === 0 && out ? out : undefined;
  }

  /** The URL as shown in messages: without userinfo. */
  displayURL(url: string): string {
    return redact(url);
  }

  private credentialEnv(opts: RunOptions): Record<string, string> {
    const entries: [string, string][] = [];
    const access = opts.access;
    if (access?.insecureSkipTLSVerify) entries.push(['http.sslVerify', 'false']);
    const creds = access?.credentials;
    if (creds && (creds.password || creds.username)) {
      const url = opts.remoteURL ?? '';
      const m = /^(https?):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^/:]+)/i.exec(url);
      if (m) {
        if (m[1]?.toLowerCase() === 'http' && !this.allowCredentialsOverHTTP && !isLoopback(m[2] ?? '')) {
          throw new DomainError(
            'StepFailed',
            `refusing to send credentials for ${this.displayURL(url)} over plain http (allowCredentialsOverHTTP is off)`,
          );
        }
        // Empty helper list: nothing may store or supply other credentials for this command.
        entries.push(['credential.helper', '']);
        entries.push(['http.extraHeader', `Authorization: Basic ${basicHeaderValue(creds)}`]);
      }
    }
    if (entries.length === 0) return {};
    const env: Record<string, string> = {};
    const base = Number.parseInt(this.baseEnv['GIT_CONFIG_COUNT'] ?? '0', 10) || 0;
    entries.forEach(([k, v], i) => {
      env[`GIT_CONFIG_KEY_${base + i}`] = k;
      env[`GIT_CONFIG_VALUE_${base + i}`] = v;
    });
    env['GIT_CONFIG_COUNT'] = String(base + entries.length);
    return env;
  }

  private commandError(args: string[], res: GitRun, access: RemoteAccess | undefined, remoteURL?: string): Error {
    const detail = redact((res.stderr.trim() || res.stdout.trim()).split('\n').slice(-5).join('\n'), access);
    const where = remoteURL ? ` (${this.displayURL(remoteURL)})` : '';
    const text = `git ${args[0] ?? ''}${where} failed: ${detail}`;
    if (remoteURL && AUTH_FAILURE.test(res.stderr)) {
      const why = access?.credentials
        ? 'the configured credentials were rejected'
        : 'no credentials are configured for this repository';
      return new DomainError('Unavailable', `authentication to ${this.displayURL(remoteURL)} failed (${why}): ${detail}`);
    }
    if (remoteURL && UNREACHABLE.test(res.stderr)) return new DomainError('Unavailable', text);
    return new Error(text);
  }

  private git(args: string[], opts: RunOptions): Promise<GitRun> {
    const env = { ...this.baseEnv, ...this.credentialEnv(opts), ...(opts.extraEnv ?? {}) };
    return new Promise<GitRun>((resolve, reject) => {
      const child = spawn('git', args, {
        cwd: opts.cwd,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      const beat = opts.heartbeat
        ? setInterval(() => {
            try {
              opts.heartbeat?.();
            } catch {
              /* heartbeat failures must not break git */
            }
          }, this.heartbeatIntervalMs)
        : undefined;
      child.on('error', (e) => {
        if (beat) clearInterval(beat);
        reject(new Error(redact(`git ${args[0] ?? ''} could not run: ${e.message}`, opts.access)));
      });
      child.on('close', (code) => {
        if (beat) clearInterval(beat);
        const res: GitRun = {
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          code: code ?? -1,
        };
        if (res.code !== 0 && !opts.allowFailure) {
          reject(this.commandError(args, res, opts.access, opts.remoteURL));
          return;
        }
        resolve(res);
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input ?? '');
    });
  }
}

/** A full or abbreviated commit id. */
export function isCommitId(s: string): boolean {
  return /^[0-9a-fA-F]{4,64}$/.test(s);
}

/** git-check-ref-format's rules for a branch or tag name (and no leading `-`). */
export function isValidRefName(name: string): boolean {
  if (name === '' || name === '@' || name.startsWith('-') || name.startsWith('/') || name.endsWith('/')) return false;
  if (name.endsWith('.') || name.endsWith('.lock') || name.includes('..') || name.includes('@{') || name.includes('//')) {
    return false;
  }
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
  return name.split('/').every((part) => part !== '' && !part.startsWith('.') && !part.endsWith('.lock'));
}

function identityEnv(id: GitIdentity): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: id.name,
    GIT_AUTHOR_EMAIL: id.email,
    GIT_COMMITTER_NAME: id.name,
    GIT_COMMITTER_EMAIL: id.email,
  };
}

/** `https://host/org/repo(.git)` → a browsable commit URL for GitHub/GitLab/Bitbucket-style hosts. */
export function commitURL(repoURL: string, sha: string): string | undefined {
  const m = /^(https?):\/\/(?:[^@/]*@)?([^/]+)\/(.+?)(?:\.git)?\/*$/i.exec(repoURL.trim());
  if (!m) return undefined;
  const [, scheme, host, repoPath] = m;
  if (!scheme || !host || !repoPath) return undefined;
  const h = host.toLowerCase();
  const base = `${scheme.toLowerCase()}://${host}/${repoPath}`;
  if (h.includes('github')) return `${base}/commit/${sha}`;
  if (h.includes('gitlab')) return `${base}/-/commit/${sha}`;
  if (h.includes('bitbucket')) return `${base}/commits/${sha}`;
  if (h.includes('gitea') || h.includes('codeberg')) return `${base}/commit/${sha}`;
  return undefined;
}
