/**
 * Read-only views of a worker's mirror for the api's read models: one commit, a range of
 * commits, and the files a range changed with their patches (core/changes/git-reads.ts). The
 * repository is untrusted: commands run in git's hermetic environment (git-command.ts), diffs
 * never run external diff or textconv drivers, pathspecs are literal, and every output is
 * bounded before it is read (patches are asked for per file, only for blobs under the limit).
 *
 * A partial (blobless) mirror fetches the blobs a diff needs by itself: every command therefore
 * runs as a fetch does, with the repository's credentials and the egress policy's pinned address.
 */
import { checkGitRemote } from '../egress/egress-connect.js';
import { PROMOTION_TRAILER } from './commit.js';
import type { GitCommand, RunOptions } from './git-command.js';
import type { RemoteAccess } from './types.js';

/** The repository a mirror is of, and how to reach it (for what git fetches while it reads). */
export interface MirrorRemote extends RemoteAccess {
  repoURL: string;
}

const SEP = '\x1f';
const END = '\x1e';
/** git's empty tree: what a root commit is compared with. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const LITERAL = { GIT_LITERAL_PATHSPECS: '1' };
const NO_DRIVERS = ['--no-ext-diff', '--no-textconv', '--no-color'];

export interface MirrorCommitInfo {
  sha: string;
  author: string;
  /** Author date, ISO 8601. */
  date: string;
  parents: string[];
  message: string;
  /** Values of the commit's `Shunt-Promotion` trailers. */
  promotions: string[];
}

export interface RawFileChange {
  status: 'A' | 'M' | 'D' | 'R' | 'C' | 'T';
  path: string;
  previousPath?: string;
  oldBlob: string;
  newBlob: string;
  additions: number;
  deletions: number;
  binary: boolean;
}

const COMMIT_FORMAT = ['%H', '%an <%ae>', '%aI', '%P', `%(trailers:key=${PROMOTION_TRAILER},valueonly,separator=%x1d)`, '%B'].join(SEP) + END;

function parseCommits(stdout: string): MirrorCommitInfo[] {
  return stdout
    .split(END)
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.trim() !== '')
    .map((r) => {
      const [sha = '', author = '', date = '', parents = '', trailers = '', ...message] = r.split(SEP);
      return {
        sha,
        author,
        date,
        parents: parents.split(' ').filter((p) => p !== ''),
        message: message.join(SEP).replace(/\n+$/, ''),
        promotions: trailers.split('\x1d').map((t) => t.trim()).filter((t) => t !== ''),
      };
    });
}

export class MirrorReads {
  constructor(
    private readonly git: GitCommand,
    private readonly remote: MirrorRemote,
  ) {}

  private async run(mirror: string, args: string[], opts: Omit<RunOptions, 'cwd' | 'access' | 'remoteURL'> = {}) {
    return this.git.run([...(await checkGitRemote(this.remote.repoURL)), ...args], { ...opts, cwd: mirror, access: this.remote, remoteURL: this.remote.repoURL });
  }

  /** The full id of `rev` when it names a commit the mirror holds. */
  async commitId(mirror: string, rev: string): Promise<string | undefined> {
    return this.git.tryRevParse(mirror, `${rev}^{commit}`);
  }

  async commit(mirror: string, sha: string): Promise<MirrorCommitInfo | undefined> {
    const res = await this.run(mirror, ['show', '-s', `--format=${COMMIT_FORMAT}`, sha, '--'], { allowFailure: true });
    return res.code === 0 ? parseCommits(res.stdout)[0] : undefined;
  }

  /** Commits in one of `a`, `b` and not the other (`a...b`), newest first, at most `max`. */
  async symmetricLog(mirror: string, a: string, b: string, max: number): Promise<MirrorCommitInfo[]> {
    const res = await this.run(mirror, ['log', `--max-count=${max}`, `--format=${COMMIT_FORMAT}`, `${a}...${b}`, '--']);
    return parseCommits(res.stdout);
  }

  /**
   * The files `to` changed compared to `from` (renames detected), with line counts. A blob over
   * `bigFileBytes` is not read to count its lines: git calls it binary (core.bigFileThreshold).
   */
  async changedFiles(mirror: string, from: string, to: string, bigFileBytes: number): Promise<RawFileChange[]> {
    const big = ['-c', `core.bigFileThreshold=${bigFileBytes}`];
    const raw = await this.run(mirror, [...big, 'diff', ...NO_DRIVERS, '--raw', '-z', '-M', '--no-abbrev', from, to, '--']);
    const numstat = await this.run(mirror, [...big, 'diff', ...NO_DRIVERS, '--numstat', '-z', '-M', from, to, '--']);
    const counts = parseNumstat(numstat.stdout);
    return parseRaw(raw.stdout).map((f, i) => {
      const c = counts[i];
      return { ...f, additions: c?.additions ?? 0, deletions: c?.deletions ?? 0, binary: c?.binary ?? false };
    });
  }

  /** Sizes in bytes of blobs, by id (one `cat-file --batch-check` for all). */
  async blobSizes(mirror: string, blobs: string[]): Promise<Map<string, number>> {
    const wanted = [...new Set(blobs.filter((b) => !/^0+$/.test(b)))];
    const sizes = new Map<string, number>();
    if (wanted.length === 0) return sizes;
    const res = await this.run(mirror, ['cat-file', '--batch-check=%(objectname) %(objectsize)'], { input: `${wanted.join('\n')}\n` });
    for (const line of res.stdout.split('\n')) {
      const [id, size] = line.split(' ');
      if (id && size && /^\d+$/.test(size)) sizes.set(id, Number(size));
    }
    return sizes;
  }

  /** The unified diff of one file between `from` and `to` (both paths of a rename). */
  async filePatch(mirror: string, from: string, to: string, file: { path: string; previousPath?: string }): Promise<string> {
    const paths = file.previousPath === undefined ? [file.path] : [file.previousPath, file.path];
    const res = await this.run(mirror, ['diff', ...NO_DRIVERS, '-M', from, to, '--', ...paths], { extraEnv: LITERAL });
    return res.stdout;
  }
}

function parseRaw(stdout: string): Omit<RawFileChange, 'additions' | 'deletions' | 'binary'>[] {
  const parts = stdout.split('\0');
  const out: Omit<RawFileChange, 'additions' | 'deletions' | 'binary'>[] = [];
  for (let i = 0; i < parts.length; ) {
    const meta = parts[i++] ?? '';
    if (!meta.startsWith(':')) continue;
    const [, , oldBlob = '', newBlob = '', statusText = ''] = meta.slice(1).split(' ');
    const status = statusText.charAt(0) as RawFileChange['status'];
    if (status === 'R' || status === 'C') {
      const previousPath = parts[i++] ?? '';
      const path = parts[i++] ?? '';
      out.push({ status, path, previousPath, oldBlob, newBlob });
    } else {
      out.push({ status, path: parts[i++] ?? '', oldBlob, newBlob });
    }
  }
  return out;
}

function parseNumstat(stdout: string): { additions: number; deletions: number; binary: boolean }[] {
  const parts = stdout.split('\0');
  const out: { additions: number; deletions: number; binary: boolean }[] = [];
  for (let i = 0; i < parts.length; ) {
    const line = parts[i++] ?? '';
    if (line === '') continue;
    const [add = '', del = '', path = ''] = line.split('\t');
    // A rename: the line ends in a tab; the two paths follow as their own fields.
    if (path === '') i += 2;
    const binary = add === '-' && del === '-';
    out.push({ additions: binary ? 0 : Number(add), deletions: binary ? 0 : Number(del), binary });
  }
  return out;
}
