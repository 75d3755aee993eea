import { ChangedPaths, parseRawDiffs, type ChangeStatus, type PathChange } from '../../activities/adapters/git/path-changes.js';
import { parseCatFileBatch, parseCommit } from '../../activities/adapters/git/raw-commit.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const Z = '0'.repeat(40);

function change(status: ChangeStatus, path: string): PathChange {
  return { status, path, mode: status === 'D' ? '000000' : '100644', object: status === 'D' ? Z : B };
}

describe('parseRawDiffs (git diff-tree --stdin -r --no-renames -z)', () => {
  it('reads each diff under the commit it is for, paths as they are (spaces, newlines, quotes)', () => {
    const out = [A, `:100644 100644 ${A} ${B} M`, 'env/dev/values.yaml', `:000000 100755 ${Z} ${B} A`, 'with space/"quoted"\nline', B, `:100644 000000 ${A} ${Z} D`, 'gone.txt', ''].join('\0');
    expect(parseRawDiffs(out)).toEqual(
      new Map([
        [A, [{ status: 'M', mode: '100644', object: B, path: 'env/dev/values.yaml' }, { status: 'A', mode: '100755', object: B, path: 'with space/"quoted"\nline' }]],
        [B, [{ status: 'D', mode: '000000', object: Z, path: 'gone.txt' }]],
      ]),
    );
  });

  it('gives an empty map for no output (commits that changed nothing print nothing)', () => {
    expect(parseRawDiffs('')).toEqual(new Map());
  });

  it.each([
    ['an unmerged entry', [A, `:100644 100644 ${A} ${B} U`, 'x', '']],
    ['a rename (this reader asks for none)', [A, `:100644 100644 ${A} ${B} R100`, 'x', 'y', '']],
    ['an entry before any commit', [`:100644 100644 ${A} ${B} M`, 'x', '']],
    ['the same commit twice', [A, `:100644 100644 ${A} ${B} M`, 'x', A, `:100644 100644 ${A} ${B} M`, 'y', '']],
    ['an entry without its path', [A, `:100644 100644 ${A} ${B} M`]],
  ])('gives undefined for %s, so that git does the work instead', (_what, fields) => {
    expect(parseRawDiffs(fields.join('\0'))).toBeUndefined();
  });
});

describe('ChangedPaths.disjointFrom: changes that a three-way merge would put together path by path', () => {
  const theirs = (...changes: PathChange[]): ChangedPaths => {
    const paths = new ChangedPaths();
    paths.add(changes);
    return paths;
  };

  it.each<[string, PathChange[], PathChange[], boolean]>([
    ['folders of their own (the monorepo layout)', [change('M', 'env/dev/kustomization.yaml')], [change('M', 'env/prod/kustomization.yaml')], true],
    ['new files in folders of their own', [change('A', 'env/dev/a.yaml')], [change('A', 'env/prod/b.yaml')], true],
    ['the same file', [change('M', 'env/dev/values.yaml')], [change('M', 'env/dev/values.yaml')], false],
    ['the same file, deleted on one side', [change('D', 'a.txt')], [change('M', 'a.txt')], false],
    ['a file where the other side has a directory', [change('A', 'env/dev')], [change('M', 'env/dev/values.yaml')], false],
    ['a directory where the other side has a file', [change('D', 'env/dev')], [change('A', 'env/dev/values.yaml')], false],
    ['a file added in a directory the other side deleted from (git may take it for renamed)', [change('D', 'env/dev/old.yaml')], [change('A', 'env/staging/new.yaml')], false],
    ['a deletion in a directory the other side added to', [change('A', 'env/dev/new.yaml')], [change('D', 'env/old.yaml')], false],
    ['a file changed in a directory the other side deleted from', [change('D', 'env/dev/old.yaml')], [change('M', 'env/staging/values.yaml')], true],
    ['deletions at the top next to additions in a directory', [change('D', 'old.txt')], [change('A', 'env/new.yaml')], true],
    ['no changes at all', [], [], true],
  ])('%s: %s', (_what, before, mine, expected) => {
    expect(theirs(...before).disjointFrom(mine)).toBe(expected);
    // The rules hold whichever side came first.
    expect(theirs(...mine).disjointFrom(before)).toBe(expected);
  });
});

describe('parseCatFileBatch (git cat-file --batch)', () => {
  const commitText = (message: string, extra = ''): string =>
    `tree ${A}\nparent ${B}\nauthor Ann <ann@example.com> 1796512278 +0100\ncommitter Shunt <shunt@example.com> 1796512279 +0000\n${extra}\n${message}`;
  const batch = (id: string, text: string): string => `${id} commit ${Buffer.byteLength(text)}\n${text}\n`;

  it('reads commits by their byte sizes, messages exactly (multi-byte characters, no final newline)', () => {
    const first = commitText('Déployé sur staging — 🚀\n\n- ghcr.io/acme/app:1.2.3\n');
    const second = commitText('no newline at the end');
    const commits = parseCatFileBatch(batch(A, first) + batch(B, second));
    expect(commits).toEqual([
      { id: A, tree: A, parents: [B], author: 'Ann <ann@example.com> 1796512278 +0100', committer: 'Shunt <shunt@example.com> 1796512279 +0000', otherHeaders: false, message: 'Déployé sur staging — 🚀\n\n- ghcr.io/acme/app:1.2.3\n' },
      expect.objectContaining({ id: B, message: 'no newline at the end' }),
    ]);
  });

  it('marks a signed commit, or one with an encoding, as having other headers', () => {
    const signed = parseCommit(A, commitText('signed\n', 'gpgsig -----BEGIN PGP SIGNATURE-----\n iQ==\n -----END PGP SIGNATURE-----\n'));
    expect(signed?.otherHeaders).toBe(true);
    expect(parseCommit(A, commitText('latin\n', 'encoding ISO-8859-1\n'))?.otherHeaders).toBe(true);
  });

  it.each([
    ['a missing object', `${A} missing\n`],
    ['another type', `${A} tree 0\n\n`],
    ['a size past the end', `${A} commit 9999\ntree ${A}\n`],
    ['text that was not UTF-8', `${A} commit 3\n\uFFFD\n`],
    ['a commit without an author', batch(A, `tree ${A}\ncommitter C <c@x> 1 +0000\n\nmsg\n`)],
  ])('gives undefined for %s', (_what, output) => {
    expect(parseCatFileBatch(output)).toBeUndefined();
  });
});
