/**
 * The readGit activity (activities/git-reads.ts) on a real origin and mirror: a promotion's own
 * commits (those whose trailer names it) and their files; a text file over the blob limit is
 * left unread and marked truncated (never called binary), a binary file is binary, a small text
 * file has git's patch, a long one's patch is cut; a commit no repository has gives nothing.
 */
import { createGitReadActivities, type GitReadActivities } from '../../activities/git-reads.js';
import { EmptyCredentialStore } from '../../activities/adapters/credentials.js';
import { GitService } from '../../activities/adapters/git/index.js';
import { GIT_READ_LIMITS, type PromotionChanges } from '../../core/changes/git-reads.js';
import { commitToOrigin, createOrigin, Disposer, hermeticEnv, tempDir, type Origin } from '../support/git-repos.js';

const disposer = new Disposer();
afterAll(() => disposer.dispose());

let activities: GitReadActivities;
let origin: Origin;
let before: string;
let pushed: string;

const overLimit = `${'a line of text that is not binary at all\n'.repeat(Math.ceil(GIT_READ_LIMITS.blobBytes / 40) + 10)}`;
const longPatch = `${'another line of plain text in a file\n'.repeat(Math.ceil(GIT_READ_LIMITS.patchBytesPerFile / 36) + 100)}`;

beforeAll(async () => {
  const git = new GitService({ dataDir: await tempDir(disposer), env: hermeticEnv(), heartbeatIntervalMs: 1 });
  activities = createGitReadActivities({ git, credentials: new EmptyCredentialStore() });
  origin = await createOrigin(disposer, { files: { 'values.yaml': 'image:\n  tag: 1.0.0\n', 'big.txt': 'small for now\n' } });
  before = await commitToOrigin(disposer, origin, { 'other.txt': 'not this promotion\n' }, 'someone else\'s change');
  await commitToOrigin(disposer, origin, { 'values.yaml': 'image:\n  tag: 1.1.0\n', 'big.txt': overLimit }, 'first of two\n\nShunt-Promotion: dev.01.abc');
  pushed = await commitToOrigin(
    disposer,
    origin,
    { 'logo.png': '\u0000\u0001PNG binary', 'long.txt': longPatch },
    'second of two\n\nShunt-Promotion: dev.01.abc',
  );
});

async function changes(sha: string): Promise<PromotionChanges> {
  return (await activities.readGit({ kind: 'promotion-changes', project: 'demo', promotion: 'dev.01.abc', pushed: [{ sha, branch: 'main' }], repoURLs: [origin.url] })) as PromotionChanges;
}

describe('readGit: a promotion\'s changes', () => {
  it('lists the promotion\'s own commits, newest first, and none before them', async () => {
    const out = await changes(pushed);
    expect(out.commits.map((c) => c.message.split('\n')[0])).toEqual(['second of two', 'first of two']);
    expect(out.commits.map((c) => c.sha)).not.toContain(before);
  });

  it('leaves a text file over the blob limit unread: truncated, no counts, not binary', async () => {
    const big = (await changes(pushed)).files.find((f) => f.path === 'big.txt');
    expect(big).toMatchObject({ change: 'modified', additions: 0, deletions: 0, patch: '', truncated: true });
    expect(big?.binary).toBeUndefined();
  });

  it('marks a binary file binary, gives a small file git\'s patch, and cuts a long patch', async () => {
    const files = (await changes(pushed)).files;
    expect(files.find((f) => f.path === 'logo.png')).toMatchObject({ change: 'added', binary: true, patch: '', truncated: false });
    const values = files.find((f) => f.path === 'values.yaml');
    expect(values).toMatchObject({ change: 'modified', additions: 1, deletions: 1, truncated: false });
    expect(values?.patch).toContain('-  tag: 1.0.0\n+  tag: 1.1.0');
    const long = files.find((f) => f.path === 'long.txt');
    expect(long).toMatchObject({ change: 'added', truncated: true });
    expect(Buffer.byteLength(long!.patch)).toBeLessThanOrEqual(GIT_READ_LIMITS.patchBytesPerFile);
    expect(files.map((f) => f.path)).not.toContain('other.txt');
  });

  it('gives nothing for a commit no repository of the project has', async () => {
    expect(await changes('f'.repeat(40))).toEqual({ commits: [], files: [] });
  });
});
