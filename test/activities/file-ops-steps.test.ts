/**
 * The file steps against a real workspace: copy, delete, file-write, tar, untar, git-clear;
 * and the workspace confinement each of them keeps (absolute paths, `..`, symlinks out).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { create } from 'tar';
import { copy } from '../../activities/steps/copy.js';
import { deleteStep } from '../../activities/steps/delete.js';
import { fileWrite } from '../../activities/steps/file-write.js';
import { gitClear } from '../../activities/steps/git-clear.js';
import { gitClone } from '../../activities/steps/git-clone.js';
import { tar } from '../../activities/steps/tar.js';
import { untar } from '../../activities/steps/untar.js';
import { createOrigin, Disposer, tempDir } from '../support/git-repos.js';
import { createHarness, errorOf, type Harness, place } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const read = (h: Harness, rel: string): string => fs.readFileSync(h.workspace.resolve(rel), 'utf8');
const exists = (h: Harness, rel: string): boolean => fs.existsSync(path.join(h.workspace.root, rel));

/** A tree with a nested file, an ignorable file, a `.git` file and an inside symlink. */
async function tree(h: Harness): Promise<void> {
  await place(h, 'src/a.yaml', 'a: 1\n');
  await place(h, 'src/sub/b.yaml', 'b: 2\n');
  await place(h, 'src/notes.tmp', 'scratch\n');
  await place(h, 'src/.git', 'gitdir: elsewhere\n');
  fs.symlinkSync('a.yaml', h.workspace.resolve('src/link.yaml'));
}

describe('copy', () => {
  it('copies a tree, leaving out .git and ignored patterns, keeping inside links', async () => {
    const h = await createHarness(disposer);
    await tree(h);
    await h.run(copy, { inPath: 'src', outPath: 'out/dst', ignore: '*.tmp\n' });
    expect(read(h, 'out/dst/a.yaml')).toBe('a: 1\n');
    expect(read(h, 'out/dst/sub/b.yaml')).toBe('b: 2\n');
    expect(exists(h, 'out/dst/notes.tmp')).toBe(false);
    expect(exists(h, 'out/dst/.git')).toBe(false);
    expect(fs.readlinkSync(path.join(h.workspace.root, 'out/dst/link.yaml'))).toBe('a.yaml');
    // A second run overwrites with the same content.
    await h.run(copy, { inPath: 'src', outPath: 'out/dst', ignore: '*.tmp\n' });
    expect(read(h, 'out/dst/a.yaml')).toBe('a: 1\n');
  });

  it('copies a single file', async () => {
    const h = await createHarness(disposer);
    await place(h, 'a.txt', 'hello\n');
    await h.run(copy, { inPath: 'a.txt', outPath: 'b/c.txt' });
    expect(read(h, 'b/c.txt')).toBe('hello\n');
  });

  it('refuses paths and links that leave the workspace, and a missing source', async () => {
    const h = await createHarness(disposer);
    const outside = await tempDir(disposer, 'outside-');
    fs.writeFileSync(path.join(outside, 'secret'), 'x');
    await place(h, 'src/a.yaml', 'a: 1\n');
    fs.symlinkSync(path.join(outside, 'secret'), h.workspace.resolve('src/evil'));
    expect((await errorOf(h.run(copy, { inPath: 'src', outPath: 'dst' }))).code).toBe('PathEscape');
    expect((await errorOf(h.run(copy, { inPath: '/etc', outPath: 'dst' }))).code).toBe('PathEscape');
    expect((await errorOf(h.run(copy, { inPath: 'src/a.yaml', outPath: '../x' }))).code).toBe('PathEscape');
    expect((await errorOf(h.run(copy, { inPath: 'nope', outPath: 'x' }))).message).toBe('inPath "nope" does not exist');
    expect(fs.existsSync(path.join(h.workspace.root, 'dst'))).toBe(false);
  });
});

describe('delete', () => {
  it('deletes one path; a missing one is fine unless strict', async () => {
    const h = await createHarness(disposer);
    await tree(h);
    await h.run(deleteStep, { path: 'src/sub' });
    expect(exists(h, 'src/sub')).toBe(false);
    await h.run(deleteStep, { path: 'src/sub' });
    const err = await errorOf(h.run(deleteStep, { path: 'src/sub', strict: true }));
    expect(err.message).toBe('path "src/sub" does not exist (strict)');
  });

  it('deletes glob matches', async () => {
    const h = await createHarness(disposer);
    await tree(h);
    await h.run(deleteStep, { paths: ['src/**/*.yaml'], pathsAreGlobs: true });
    expect(exists(h, 'src/a.yaml')).toBe(false);
    expect(exists(h, 'src/sub/b.yaml')).toBe(false);
    expect(exists(h, 'src/notes.tmp')).toBe(true);
    const err = await errorOf(h.run(deleteStep, { paths: ['nothing/*'], pathsAreGlobs: true, strict: true }));
    expect(err.message).toBe('glob "nothing/*" matches nothing (strict)');
  });

  it('refuses the workspace root, escapes and bad config', async () => {
    const h = await createHarness(disposer);
    expect((await errorOf(h.run(deleteStep, { path: '.' }))).message).toBe('refusing to delete the workspace root (".")');
    expect((await errorOf(h.run(deleteStep, { path: '../other' }))).code).toBe('PathEscape');
    expect((await errorOf(h.run(deleteStep, { paths: ['../*'], pathsAreGlobs: true }))).code).toBe('PathEscape');
    expect(() => deleteStep.config.parse({ path: 'a', paths: ['b'] })).toThrow(/set exactly one of path or paths/);
    expect(() => deleteStep.config.parse({})).toThrow(/set exactly one of path or paths/);
  });
});

describe('file-write', () => {
  it('writes with 0600 by default, and is a no-op with the same contents', async () => {
    const h = await createHarness(disposer);
    await h.run(fileWrite, { path: 'a/b.txt', contents: 'hi\n' });
    expect(read(h, 'a/b.txt')).toBe('hi\n');
    expect(fs.statSync(h.workspace.resolve('a/b.txt')).mode & 0o777).toBe(0o600);
    await h.run(fileWrite, { path: 'a/b.txt', contents: 'hi\n' });
    await h.run(fileWrite, { path: 'c.sh', contents: '#!/bin/sh\n', permissions: '0755' });
    expect(fs.statSync(h.workspace.resolve('c.sh')).mode & 0o777).toBe(0o755);
  });

  it('replaces other contents only with overwrite', async () => {
    const h = await createHarness(disposer);
    await h.run(fileWrite, { path: 'a.txt', contents: 'one' });
    const err = await errorOf(h.run(fileWrite, { path: 'a.txt', contents: 'two' }));
    expect(err.message).toBe('file "a.txt" already exists; set overwrite: true to replace it');
    await h.run(fileWrite, { path: 'a.txt', contents: 'two', overwrite: true });
    expect(read(h, 'a.txt')).toBe('two');
  });

  it('refuses a bad mode and an escape', async () => {
    const h = await createHarness(disposer);
    expect(() => fileWrite.config.parse({ path: 'a', contents: 'x', permissions: 'rw' })).toThrow(/octal mode/);
    expect((await errorOf(h.run(fileWrite, { path: '/tmp/x', contents: 'x' }))).code).toBe('PathEscape');
  });
});

describe('tar and untar', () => {
  it('round-trips a tree (gzipped), the same tree giving the same archive', async () => {
    const h = await createHarness(disposer);
    await tree(h);
    await h.run(tar, { inPath: 'src', outPath: 'out/src.tgz', gzip: true, ignore: '*.tmp' });
    const first = fs.readFileSync(h.workspace.resolve('out/src.tgz'));
    await h.run(tar, { inPath: 'src', outPath: 'out/src.tgz', gzip: true, ignore: '*.tmp' });
    expect(fs.readFileSync(h.workspace.resolve('out/src.tgz')).equals(first)).toBe(true);

    await place(h, 'dest/stale.txt', 'old');
    await h.run(untar, { inPath: 'out/src.tgz', outPath: 'dest', stripComponents: 1 });
    expect(read(h, 'dest/a.yaml')).toBe('a: 1\n');
    expect(read(h, 'dest/sub/b.yaml')).toBe('b: 2\n');
    expect(exists(h, 'dest/notes.tmp')).toBe(false);
    expect(exists(h, 'dest/.git')).toBe(false);
    expect(exists(h, 'dest/stale.txt')).toBe(false);
  });

  it('untar leaves out ignored entries', async () => {
    const h = await createHarness(disposer);
    await tree(h);
    await h.run(tar, { inPath: 'src', outPath: 'src.tar' });
    await h.run(untar, { inPath: 'src.tar', outPath: 'x', ignore: 'src/sub/' });
    expect(exists(h, 'x/src/a.yaml')).toBe(true);
    expect(exists(h, 'x/src/sub')).toBe(false);
  });

  it('refuses archives whose entries or links leave the destination, writing nothing', async () => {
    const h = await createHarness(disposer);
    const staging = await tempDir(disposer, 'tar-');
    fs.mkdirSync(path.join(staging, 'pkg'));
    fs.symlinkSync('/etc/passwd', path.join(staging, 'pkg', 'evil'));
    await create({ file: h.workspace.resolve('evil.tar'), cwd: staging, portable: true }, ['pkg']);
    const err = await errorOf(h.run(untar, { inPath: 'evil.tar', outPath: 'dest' }));
    expect(err.code).toBe('PathEscape');
    expect(err.message).toBe('refusing to extract "evil.tar": link "pkg/evil" -> "/etc/passwd" points out of the destination');
    expect(exists(h, 'dest')).toBe(false);

    fs.rmSync(path.join(staging, 'pkg', 'evil'));
    fs.symlinkSync('../../outside', path.join(staging, 'pkg', 'up'));
    await create({ file: h.workspace.resolve('up.tar'), cwd: staging, portable: true }, ['pkg']);
    expect((await errorOf(h.run(untar, { inPath: 'up.tar', outPath: 'dest' }))).code).toBe('PathEscape');
  });

  it('fails clearly for a file that is not a tar archive', async () => {
    const h = await createHarness(disposer);
    await place(h, 'x.tar', 'not a tar');
    const err = await errorOf(h.run(untar, { inPath: 'x.tar', outPath: 'd' }));
    expect(err.code).toBe('StepFailed');
  });
});

describe('git-clear', () => {
  it('empties a checkout but keeps .git', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: 'repo', branch: 'main' }] });
    expect(fs.readdirSync(h.workspace.resolve('repo')).length).toBeGreaterThan(1);
    await h.run(gitClear, { path: 'repo' });
    expect(fs.readdirSync(h.workspace.resolve('repo'))).toEqual(['.git']);
    expect(await h.git.isDirty(h.workspace.resolve('repo'))).toBe(true);
  });

  it('refuses a directory that is not a checkout', async () => {
    const h = await createHarness(disposer);
    await place(h, 'plain/a', 'x');
    const err = await errorOf(h.run(gitClear, { path: 'plain' }));
    expect(err.message).toBe('path "plain" is not a git checkout (run git-clone first)');
  });
});
