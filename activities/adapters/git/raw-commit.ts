/** Commits as `git cat-file --batch` prints them. */
import { isObjectId } from './refs.js';

export interface RawCommit {
  id: string;
  tree: string;
  parents: string[];
  /** The `author` and `committer` lines' values, as written (`Name <email> <seconds> <zone>`). */
  author: string;
  committer: string;
  /** Whether the commit has headers other than tree, parents, author and committer (a signature, an encoding, a merge tag). */
  otherHeaders: boolean;
  message: string;
}


/** One commit object's text; undefined when it is not spelled as git writes commits. */
export function parseCommit(id: string, text: string): RawCommit | undefined {
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text.replace(/\n$/, '') : text.slice(0, end);
  const message = end < 0 ? '' : text.slice(end + 2);
  const commit: RawCommit = { id, tree: '', parents: [], author: '', committer: '', otherHeaders: false, message };
  for (const line of head.split('\n')) {
    const sp = line.indexOf(' ');
    const [key, value] = sp < 0 ? [line, ''] : [line.slice(0, sp), line.slice(sp + 1)];
    if (key === 'tree' && isObjectId(value) && commit.tree === '') commit.tree = value;
    else if (key === 'parent' && isObjectId(value)) commit.parents.push(value);
    else if (key === 'author' && commit.author === '') commit.author = value;
    else if (key === 'committer' && commit.committer === '') commit.committer = value;
    else commit.otherHeaders = true;
  }
  if (!commit.tree || !commit.author || !commit.committer) return undefined;
  return commit;
}

/**
 * The commits in the output of `git cat-file --batch` (each `<id> commit <size>`, the object, a
 * newline). Sizes count bytes, so the output must be the exact UTF-8 text git printed; anything
 * else (a missing object, another type, text that was not UTF-8) gives undefined.
 */
export function parseCatFileBatch(output: string): RawCommit[] | undefined {
  if (output.includes('\uFFFD')) return undefined;
  const bytes = Buffer.from(output, 'utf8');
  const commits: RawCommit[] = [];
  let at = 0;
  while (at < bytes.length) {
    const eol = bytes.indexOf(0x0a, at);
    if (eol < 0) return undefined;
    const header = /^([0-9a-f]{40,64}) commit (\d+)$/.exec(bytes.subarray(at, eol).toString('utf8'));
    if (!header) return undefined;
    const size = Number(header[2]);
    const start = eol + 1;
    if (start + size + 1 > bytes.length || bytes[start + size] !== 0x0a) return undefined;
    const commit = parseCommit(header[1]!, bytes.subarray(start, start + size).toString('utf8'));
    if (!commit) return undefined;
    commits.push(commit);
    at = start + size + 1;
  }
  return commits;
}
