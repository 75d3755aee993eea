/**
 * Read-only views of a worker's mirror for warehouse discovery: branch history, tags, files a
 * commit changed, the remote's default branch. The mirror is made current by GitService first
 * (syncMirror); these commands only read it (except defaultBranch, which asks the remote).
 */
import type { GitCommand } from './git-command.js';
import type { RemoteAccess } from './types.js';
import { checkGitRemote } from '../egress/egress-connect.js';

const SEP = '\x1f';
const END = '\x1e';

export interface MirrorCommit {
  id: string;
  subject: string;
  author: string;
  committer: string;
  /** Committer date, ISO 8601. */
  commitDate: string;
}

export interface MirrorTag {
  tag: string;
  /** The commit the tag points at (annotated tags peeled). */
  id: string;
  /** Tag creation date (annotated) or commit date (lightweight), ISO 8601. */
  creatorDate: string;
  subject: string;
  author: string;
  committer: string;
  /** Annotated tags only. */
  tagger?: string;
  annotation?: string;
}

export class MirrorHistory {
  /** Runs through the GitService's own runner (GitService.history()). */
  constructor(private readonly git: GitCommand) {}

  /** The remote's default branch (what `HEAD` points at there). */
  async defaultBranch(mirror: string, repoURL: string, access: RemoteAccess): Promise<string> {
    const res = await this.git.run([...(await checkGitRemote(repoURL)), 'ls-remote', '--symref', 'origin', 'HEAD'], { cwd: mirror, access, remoteURL: repoURL });
    const m = /^ref:\s+refs\/heads\/(\S+)\s+HEAD$/m.exec(res.stdout);
    if (!m?.[1]) throw new Error(`cannot tell the default branch of ${repoURL}: set branch in the subscription`);
    return m[1];
  }

  async hasBranch(mirror: string, branch: string): Promise<boolean> {
    return (await this.git.tryRevParse(mirror, `refs/remotes/origin/${branch}^{commit}`)) !== undefined;
  }

  /** Newest first along the branch's first parents and merges, at most `max`, optionally since a date. */
  async branchCommits(mirror: string, branch: string, max: number, since?: string): Promise<MirrorCommit[]> {
    const args = ['log', `--max-count=${max}`, `--format=%H${SEP}%s${SEP}%an <%ae>${SEP}%cn <%ce>${SEP}%cI${END}`];
    if (since) args.push(`--since=${since}`);
    args.push(`refs/remotes/origin/${branch}`, '--');
    const res = await this.git.run(args, { cwd: mirror });
    return res.stdout
      .split(END)
      .map((r) => r.trim())
      .filter((r) => r !== '')
      .map((r) => {
        const [id = '', subject = '', author = '', committer = '', commitDate = ''] = r.split(SEP);
        return { id, subject, author, committer, commitDate };
      });
  }

  async tags(mirror: string): Promise<MirrorTag[]> {
    const fields = [
      '%(refname:strip=2)',
      '%(objecttype)',
      '%(objectname)',
      '%(*objectname)',
      '%(creatordate:iso-strict)',
      '%(subject)',
      '%(*subject)',
      '%(authorname) <%(authoremail:trim)>',
      '%(*authorname) <%(*authoremail:trim)>',
      '%(committername) <%(committeremail:trim)>',
      '%(*committername) <%(*committeremail:trim)>',
      '%(taggername) <%(taggeremail:trim)>',
    ];
    const res = await this.git.run(['for-each-ref', `--format=${fields.join(SEP)}${END}`, 'refs/tags'], { cwd: mirror });
    const out: MirrorTag[] = [];
    for (const rec of res.stdout.split(END)) {
      const r = rec.replace(/^\n/, '');
      if (r.trim() === '') continue;
      const [tag = '', type = '', obj = '', peeled = '', date = '', subj = '', pSubj = '', author = '', pAuthor = '', committer = '', pCommitter = '', tagger = ''] = r.split(SEP);
      if (type === 'tag') {
        if (!peeled) continue;
        out.push({ tag, id: peeled, creatorDate: date, subject: pSubj, author: pAuthor, committer: pCommitter, tagger, annotation: subj });
      } else if (type === 'commit') {
        out.push({ tag, id: obj, creatorDate: date, subject: subj, author, committer });
      }
    }
    return out;
  }

  /** Paths a commit changed compared to its first parent (all of its files for a root commit). */
  async changedPaths(mirror: string, id: string): Promise<string[]> {
    const res = await this.git.run(['diff-tree', '--no-commit-id', '--name-only', '-r', '--root', '-z', id], { cwd: mirror });
    return res.stdout.split('\0').filter((p) => p !== '');
  }
}
