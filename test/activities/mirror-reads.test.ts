/**
 * The read-only views of a mirror behind the api's changes and compare (mirror-reads.ts): every
 * kind of file change with its line counts, a file's patch (git's own diff, never a driver),
 * commits with their Shunt-Promotion trailers, and the commits between two revisions.
 */
import { GitService } from '../../activities/adapters/git/index.js';
import { commitToOrigin, createOrigin, Disposer, hermeticEnv, tempDir, type Origin } from '../support/git-repos.js';

const disposer = new Disposer();
afterAll(() => disposer.dispose());

let svc: GitService;
let origin: Origin;
let mirror: string;
let seed: string;
let head: string;

beforeAll(async () => {
  svc = new GitService({ dataDir: await tempDir(disposer), env: hermeticEnv(), heartbeatIntervalMs: 1 });
  origin = await createOrigin(disposer, {
    files: { 'keep.txt': 'one\ntwo\nthree\n', 'old-name.txt': 'moved\nunchanged\ncontent\nhere\n', 'gone.txt': 'bye\n', '.gitattributes': '*.txt diff=evil\n' },
  });
  seed = await commitToOrigin(disposer, origin, {}, 'empty on top of the seed');
  head = await commitToOrigin(
    disposer,
    origin,
    {
      'keep.txt': 'one\n2\nthree\nfour\n',
      'old-name.txt': null,
      'new name.txt': 'moved\nunchanged\ncontent\nhere\n',
      'gone.txt': null,
      'image.bin': '\u0000\u0001\u0002binary',
    },
    'change every kind of file\n\nShunt-Promotion: dev.01.abcdef0',
  );
  mirror = await svc.syncMirror(origin.url);
});

describe('MirrorReads', () => {
  it('lists added, modified, deleted, renamed and binary files with their line counts', async () => {
    const files = await svc.reads({ repoURL: origin.url }).changedFiles(mirror, seed, head, 1024 * 1024);
    const byPath = Object.fromEntries(files.map((f) => [f.path, { status: f.status, previousPath: f.previousPath, additions: f.additions, deletions: f.deletions, binary: f.binary }]));
    expect(byPath).toEqual({
      'keep.txt': { status: 'M', previousPath: undefined, additions: 2, deletions: 1, binary: false },
      'new name.txt': { status: 'R', previousPath: 'old-name.txt', additions: 0, deletions: 0, binary: false },
      'gone.txt': { status: 'D', previousPath: undefined, additions: 0, deletions: 1, binary: false },
      'image.bin': { status: 'A', previousPath: undefined, additions: 0, deletions: 0, binary: true },
    });
  });

  it('does not read a blob over the size given to count its lines: git calls it binary, with no counts', async () => {
    const files = await svc.reads({ repoURL: origin.url }).changedFiles(mirror, seed, head, 16);
    expect(files.find((f) => f.path === 'keep.txt')).toMatchObject({ status: 'M', additions: 0, deletions: 0, binary: true });
    expect(files.find((f) => f.path === 'gone.txt')).toMatchObject({ status: 'D', additions: 0, deletions: 1, binary: false });
  });

  it("gives a file's patch as git's own unified diff, though .gitattributes names a diff driver", async () => {
    const patch = await svc.reads({ repoURL: origin.url }).filePatch(mirror, seed, head, { path: 'keep.txt' });
    expect(patch).toMatch(/^diff --git a\/keep.txt b\/keep.txt\n/);
    expect(patch).toContain('-two\n+2\n');
    expect(patch).toContain('+four\n');
  });

  it('reads a commit with its Shunt-Promotion trailer, and the commits between two revisions', async () => {
    const commit = await svc.reads({ repoURL: origin.url }).commit(mirror, head);
    expect(commit).toMatchObject({ sha: head, parents: [seed], promotions: ['dev.01.abcdef0'], message: expect.stringMatching(/^change every kind of file/) });
    const between = await svc.reads({ repoURL: origin.url }).symmetricLog(mirror, seed, head, 10);
    expect(between.map((c) => c.sha)).toEqual([head]);
    expect(await svc.reads({ repoURL: origin.url }).commitId(mirror, 'f'.repeat(40))).toBeUndefined();
  });

  it('measures blobs without reading them', async () => {
    const files = await svc.reads({ repoURL: origin.url }).changedFiles(mirror, seed, head, 1024 * 1024);
    const keep = files.find((f) => f.path === 'keep.txt')!;
    const sizes = await svc.reads({ repoURL: origin.url }).blobSizes(mirror, [keep.oldBlob, keep.newBlob, '0'.repeat(40)]);
    expect(sizes.get(keep.oldBlob)).toBe('one\ntwo\nthree\n'.length);
    expect(sizes.get(keep.newBlob)).toBe('one\n2\nthree\nfour\n'.length);
    expect(sizes.size).toBe(2);
  });
});
