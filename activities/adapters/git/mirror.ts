/**
 * The worker's bare mirrors, one per repository: where they live, creating and fetching them,
 * and the per-mirror lock that guards their shared state.
 *
 * A mirror first made for a `blobless` checkout is a partial clone (`--filter=blob:none`, origin
 * its promisor remote): it holds every commit and tree but only the file contents checkouts have
 * needed. Before a checkout of such a mirror, the blobs of that one commit (within its sparse
 * cone) are fetched in one batch with the checkout's credentials, so the worktree never needs a
 * lazy fetch; later fetches keep the filter. A later checkout without `blobless` works the same.
 *
 * A mirror first made for a checkout with `depth` (a Shunt extension) is shallow: each branch and
 * tag only `depth` commits deep. Later fetches add new commits without deepening it; a checkout
 * without `depth`, or of a commit the shallow history lacks, first unshallows it (full history).
 *
 * Every fetch first checks the remote against the egress policy and pins git's http(s)
 * connection to the checked address (checkGitRemote).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normalizeGitURL } from '../../../core/freight/normalize.js';
import { sha1Hex } from '../../../core/hash.js';
import { checkGitRemote } from '../egress/egress-connect.js';
import { namesAnotherFile } from './config-include.js';
import type { GitCommand } from './git-command.js';
import type { MirrorLocks } from './mirror-locks.js';
import type { GitStats, OperationHooks, RemoteAccess } from './types.js';

/** How a mirror is made or brought up to date (see the file's comment). */
export interface SyncOptions extends RemoteAccess, OperationHooks {
  /** When this sync creates the mirror: a partial clone without blobs. */
  blobless?: boolean | undefined;
  /** When this sync creates the mirror: shallow, this many commits deep. */
  depth?: number | undefined;
  /** The caller needs full history: a shallow mirror is unshallowed. */
  fullHistory?: boolean | undefined;
}

/** A sync others may join while it waits for the mirror's lock, with its caller's signal. */
interface SharedSync {
  done: Promise<void>;
  signal: AbortSignal | undefined;
}

export class Mirrors {
  constructor(
    /** `<dataDir>/git/mirrors`. */
    readonly root: string,
    private readonly git: GitCommand,
    private readonly locks: MirrorLocks,
    private readonly stats: GitStats,
  ) {}

  /** Syncs waiting for their mirror's lock, by mirror, URL, credentials and options (see sync). */
  private readonly waitingSyncs = new Map<string, SharedSync>();

  /** `<root>/<sha1(normalized url)>.git`: every spelling of one repository shares it. */
  dir(repoURL: string): string {
    return path.join(this.root, `${sha1Hex(normalizeGitURL(repoURL))}.git`);
  }

  /** The directories of every mirror there is (none when the root does not exist yet). */
  async list(): Promise<string[]> {
    try {
      return (await fs.promises.readdir(this.root)).filter((n) => n.endsWith('.git')).map((n) => path.join(this.root, n));
    } catch {
      return [];
    }
  }

  /** Runs `fn` holding the lock of the mirror at `mirror`. */
  async withLock<T>(mirror: string, fn: () => Promise<T>): Promise<T> {
    await fs.promises.mkdir(path.dirname(mirror), { recursive: true });
    return this.locks.with(`${mirror}.lock`, fn);
  }

  /**
   * Runs `fn` holding the push lock of `branch` in the mirror at `mirror`: pushes to one branch
   * queue instead of racing (each rebases onto the tip the previous one pushed, which the mirror
   * already has, and pushes once). Held around the whole fetch-rebase-push; takes the mirror's
   * own lock inside, never the other way round. Other workers sharing the data dir queue too.
   */
  async withBranchLock<T>(mirror: string, branch: string, fn: () => Promise<T>): Promise<T> {
    await fs.promises.mkdir(path.dirname(mirror), { recursive: true });
    return this.locks.with(`${mirror}.push-${sha1Hex(branch)}.lock`, fn);
  }

  /**
   * Makes the mirror of `repoURL` current: creates it the first time, fetches (new objects only)
   * afterwards. Returns its directory.
   */
  async sync(repoURL: string, opts: SyncOptions): Promise<string> {
    // Before the URL reaches the mirror's config.
    this.git.assertRemoteAllowed(repoURL);
    const dir = this.dir(repoURL);
    // Checkouts that start together (promotions of many stages from one repository) share one
    // fetch: a sync asked for while another waits for the lock joins it, since that fetch starts
    // after both asked. Only with the same URL, credentials and options: each project's access
    // is still checked by a fetch made with its own credentials.
    const key = sha1Hex(JSON.stringify([dir, repoURL, opts.credentials ?? null, opts.insecureSkipTLSVerify ?? false, opts.blobless ?? false, opts.depth ?? null, opts.fullHistory ?? false]));
    const waiting = this.waitingSyncs.get(key);
    if (waiting) {
      try {
        await waiting.done;
        return dir;
      } catch (err) {
        // A fetch that failed (the remote, the credentials) fails every sync that shared it, as
        // their own would have: twenty checkouts of an unreachable remote wait for one failure,
        // not for twenty one after another. Only its own caller's cancellation is not theirs.
        if (!waiting.signal?.aborted) throw err;
        if (opts.signal?.aborted) throw opts.signal.reason;
      }
    }
    const mine: SharedSync = {
      done: this.withLock(dir, () => {
        if (this.waitingSyncs.get(key) === mine) this.waitingSyncs.delete(key);
        return this.syncLocked(dir, repoURL, opts);
      }),
      signal: opts.signal,
    };
    if (!waiting) this.waitingSyncs.set(key, mine);
    try {
      await mine.done;
    } finally {
      if (this.waitingSyncs.get(key) === mine) this.waitingSyncs.delete(key);
    }
    return dir;
  }

  /** `git fetch --prune origin` in the mirror at `dir`, without taking its lock. */
  async fetch(dir: string, repoURL: string, access: RemoteAccess, hooks: OperationHooks = {}): Promise<void> {
    await this.git.run([...(await checkGitRemote(repoURL)), 'fetch', '--quiet', '--prune', 'origin'], {
      cwd: dir,
      access,
      remoteURL: repoURL,
      heartbeat: hooks.heartbeat,
      signal: hooks.signal,
    });
  }

  /**
   * Whether the mirror at `dir` is a partial clone (made for a blobless checkout): its config's
   * `remote.origin.promisor`, which git's first filtered fetch wrote. Read from the file, not with
   * a git process: every checkout and push asks, with the mirror's lock held. A file that names
   * another is asked of git.
   */
  async isPartial(dir: string): Promise<boolean> {
    let text: string;
    try {
      text = await fs.promises.readFile(path.join(dir, 'config'), 'utf8');
    } catch {
      return false;
    }
    const answer = originIsPromisor(text);
    if (answer !== undefined) return answer;
    const asked = await this.git.run(['config', '--type=bool', '--get', 'remote.origin.promisor'], { cwd: dir, allowFailure: true });
    return asked.code === 0 && asked.stdout.trim() === 'true';
  }

  /**
   * In a partial mirror, fetches (in one request) the blobs of `commit`'s tree it lacks, only
   * those inside the cone of `sparse` when given; a complete mirror is left alone. Call with the
   * mirror's lock held. Returns how many blobs were fetched.
   */
  async fetchBlobsFor(
    dir: string,
    repoURL: string,
    commit: string,
    sparse: readonly string[] | undefined,
    access: RemoteAccess,
    hooks: OperationHooks = {},
  ): Promise<number> {
    if (!(await this.isPartial(dir))) return 0;
    const listed = await this.git.run(['rev-list', '--objects', '--missing=print', '--no-walk', commit], { cwd: dir, heartbeat: hooks.heartbeat, signal: hooks.signal });
    let missing = listed.stdout
      .split('\n')
      .filter((l) => l.startsWith('?'))
      .map((l) => l.slice(1).trim());
    if (missing.length > 0 && sparse && sparse.length > 0) {
      const tree = await this.git.run(['ls-tree', '-r', '--full-tree', '-z', commit], { cwd: dir, heartbeat: hooks.heartbeat, signal: hooks.signal });
      const wanted = new Set<string>();
      for (const entry of tree.stdout.split('\0')) {
        const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
        if (m?.[1] && m[2] !== undefined && inCone(m[2], sparse)) wanted.add(m[1]);
      }
      missing = missing.filter((oid) => wanted.has(oid));
    }
    if (missing.length === 0) return 0;
    // What git's own lazy fetch runs, batched, with this checkout's credentials.
    await this.git.run(
      [...(await checkGitRemote(repoURL)), '-c', 'fetch.negotiationAlgorithm=noop', 'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--recurse-submodules=no', '--filter=blob:none', '--stdin', 'origin'],
      { cwd: dir, access, remoteURL: repoURL, input: `${missing.join('\n')}\n`, heartbeat: hooks.heartbeat, signal: hooks.signal },
    );
    return missing.length;
  }

  /** Whether the mirror at `dir` is shallow. */
  isShallow(dir: string): boolean {
    return fs.existsSync(path.join(dir, 'shallow'));
  }

  /**
   * Unshallows the mirror at `dir` (full history) if it is shallow; returns whether it was.
   * Call with the mirror's lock held.
   */
  async unshallow(dir: string, repoURL: string, access: RemoteAccess, hooks: OperationHooks = {}): Promise<boolean> {
    if (!this.isShallow(dir)) return false;
    await this.git.run([...(await checkGitRemote(repoURL)), 'fetch', '--quiet', '--prune', '--unshallow', 'origin'], {
      cwd: dir,
      access,
      remoteURL: repoURL,
      heartbeat: hooks.heartbeat,
      signal: hooks.signal,
    });
    this.stats.mirrorFetches++;
    return true;
  }

  /**
   * For a checkout (`worktree`) of a partial mirror: fetches the blobs of `rev` it lacks within
   * the checkout's sparse cone, e.g. before a rebase onto a remote branch that moved (git's own
   * lazy fetch would run without the credentials). A complete mirror is left alone. Call with
   * the mirror's lock held.
   */
  async fetchBlobsForWorktree(
    worktree: string,
    dir: string,
    repoURL: string,
    rev: string,
    access: RemoteAccess,
    hooks: OperationHooks = {},
  ): Promise<number> {
    if (!(await this.isPartial(dir))) return 0;
    const commit = await this.git.tryRevParse(dir, `${rev}^{commit}`);
    if (!commit) return 0;
    const sparse = await this.git.run(['config', '--get', '--bool', 'core.sparseCheckout'], { cwd: worktree, allowFailure: true });
    let cone: string[] | undefined;
    if (sparse.stdout.trim() === 'true') {
      const list = await this.git.run(['sparse-checkout', 'list'], { cwd: worktree, allowFailure: true });
      cone = list.code === 0 ? list.stdout.split('\n').filter((l) => l.trim() !== '') : undefined;
    }
    return this.fetchBlobsFor(dir, repoURL, commit, cone, access, hooks);
  }

  private async syncLocked(dir: string, repoURL: string, opts: SyncOptions): Promise<void> {
    const exists = fs.existsSync(path.join(dir, 'HEAD')) && fs.existsSync(path.join(dir, 'config.worktree'));
    if (!exists) {
      await fs.promises.rm(dir, { recursive: true, force: true });
      await fs.promises.mkdir(dir, { recursive: true });
      await this.git.run(['init', '--quiet', '--bare'], { cwd: dir });
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
      for (const [k, v] of settings) await this.git.run(['config', k, v], { cwd: dir });
      await this.git.run(['config', '--add', 'remote.origin.fetch', '+refs/tags/*:refs/tags/*'], { cwd: dir });
      // With worktreeConfig on, core.bare must move to the main worktree's own config, or every
      // linked worktree would think it is bare too (see git-worktree(1), CONFIGURATION FILE).
      await this.git.run(['config', '--unset', 'core.bare'], { cwd: dir });
      await this.git.run(['config', '--worktree', 'core.bare', 'true'], { cwd: dir });
      this.stats.mirrorsCreated++;
      if (opts.blobless || opts.depth !== undefined) {
        // The first fetch with a filter makes origin the promisor remote and records the filter
        // (remote.origin.promisor, remote.origin.partialclonefilter); later fetches keep it.
        // One with a depth makes the mirror shallow; later fetches do not deepen it.
        const args = ['fetch', '--quiet', '--prune'];
        if (opts.blobless) args.push('--filter=blob:none');
        if (opts.depth !== undefined) args.push(`--depth=${opts.depth}`);
        await this.git.run([...(await checkGitRemote(repoURL)), ...args, 'origin'], {
          cwd: dir,
          access: opts,
          remoteURL: repoURL,
          heartbeat: opts.heartbeat,
          signal: opts.signal,
        });
        return;
      }
    } else {
      this.stats.mirrorFetches++;
      // Every spelling of the repository shares the mirror: origin is the one in use now. Read from
      // the file first, so that the common case (the same spelling again) costs no git process.
      const config = await fs.promises.readFile(path.join(dir, 'config'), 'utf8').catch(() => '');
      if (!originURLIs(config, repoURL)) await this.git.run(['config', 'remote.origin.url', repoURL], { cwd: dir });
      // A fetch that unshallows also brings everything new.
      if (opts.fullHistory && (await this.unshallow(dir, repoURL, opts, opts))) return;
    }
    await this.fetch(dir, repoURL, opts, opts);
  }
}

/**
 * Whether a file is in a cone-mode sparse checkout of `dirs`: files at the top level, files
 * anywhere under a cone directory, and files directly inside a cone directory's parents.
 */
export function inCone(file: string, dirs: readonly string[]): boolean {
  const slash = file.lastIndexOf('/');
  if (slash < 0) return true;
  const parent = file.slice(0, slash);
  for (const raw of dirs) {
    const d = raw.replace(/^\/+|\/+$/g, '');
    if (d === '' || file.startsWith(`${d}/`) || d.startsWith(`${parent}/`)) return true;
  }
  return false;
}

/**
 * The values of `key` in the `[remote "origin"]` sections of a git config file's text, in order,
 * as git reads an unquoted value (a trailing `#` or `;` comment dropped); undefined for a key
 * written without a value.
 */
function originValues(configText: string, key: string): (string | undefined)[] {
  let inOrigin = false;
  const values: (string | undefined)[] = [];
  for (const line of configText.split('\n')) {
    const header = /^\s*\[([^\]]*)\]/.exec(line);
    if (header) inOrigin = /^remote\s+"origin"$/i.test(header[1]!.trim());
    const entry = inOrigin ? /^\s*([a-z][a-z0-9-]*)\s*(?:=\s*(.*?))?\s*(?:[#;].*)?$/i.exec(header ? line.slice(header[0].length) : line) : null;
    if (entry && entry[1]!.toLowerCase() === key) values.push(entry[2]);
  }
  return values;
}

/**
 * Whether a git config file's text sets `remote.origin.url` once, to exactly `url`, a value git
 * writes unquoted. False whenever unsure (a url git would quote or escape, several urls, a file
 * that names another): then the caller sets it with git.
 */
export function originURLIs(configText: string, url: string): boolean {
  if (url === '' || /["\\;#\s]/.test(url) || namesAnotherFile(configText)) return false;
  const urls = originValues(configText, 'url');
  return urls.length === 1 && urls[0] === url;
}

/**
 * Whether a git config file's text sets `remote.origin.promisor` true (git's boolean spellings;
 * the last value wins); undefined when the text names another file git reads too.
 */
export function originIsPromisor(configText: string): boolean | undefined {
  if (namesAnotherFile(configText)) return undefined;
  const values = originValues(configText, 'promisor');
  if (values.length === 0) return false;
  const last = values[values.length - 1];
  return last === undefined || /^(true|yes|on|1)$/i.test(last.replace(/^"(.*)"$/, '$1'));
}
