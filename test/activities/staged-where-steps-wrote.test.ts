/**
 * git-commit in the worker stages only the directories steps wrote in (checkout-writes.ts): the
 * commit still holds every change a step made, and an unknown checkout or a write at its top is
 * staged by walking everything, as before.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckoutWrites, checkoutWrites } from '../../activities/adapters/checkout-writes.js';
import { GitService } from '../../activities/adapters/git/git-service.js';
import { copy } from '../../activities/steps/copy.js';
import { deleteStep } from '../../activities/steps/delete.js';
import { fileWrite } from '../../activities/steps/file-write.js';
import { gitClear } from '../../activities/steps/git-clear.js';
import { gitClone } from '../../activities/steps/git-clone.js';
import { gitCommit } from '../../activities/steps/git-commit.js';
import { jsonUpdate } from '../../activities/steps/json-update.js';
import { kustomizeSetImage } from '../../activities/steps/kustomize-set-image.js';
import { untar } from '../../activities/steps/untar.js';
import { tar } from '../../activities/steps/tar.js';
import { yamlMerge } from '../../activities/steps/yaml-merge.js';
import { yamlUpdate } from '../../activities/steps/yaml-update.js';
import { createOrigin, Disposer, git, hermeticEnv, SEED_FILES, tempDir } from '../support/git-repos.js';
import { createHarness, type Harness } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const FILES = {
  ...SEED_FILES,
  'apps/a/values.yaml': 'image:\n  tag: "1"\n',
  'apps/b/values.yaml': 'image:\n  tag: "1"\n',
  'apps/b/config.json': '{"replicas": 1}\n',
  'apps/old/drop.yaml': 'x: 1\n',
  'build/.keep': '',
  '.gitignore': '*.log\nbuild/\n',
};

async function workerHarness(): Promise<Harness> {
  const dataDir = await tempDir(disposer, 'shunt-data-');
  const gitService = new GitService({ dataDir, env: hermeticEnv(), pushBackoffMs: 10, heartbeatIntervalMs: 50, stageWhereStepsWrote: true });
  const h = await createHarness(disposer, { dataDir, git: gitService });
  const origin = await createOrigin(disposer, { files: FILES });
  await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: './src', branch: 'main' }] });
  return h;
}

/** What the last commit changed, as `git diff-tree --name-status` lines. */
async function committed(h: Harness): Promise<string[]> {
  const out = await git(h.workspace.resolve('src'), ['diff-tree', '--no-commit-id', '--name-status', '-r', 'HEAD^', 'HEAD']);
  return out.trim().split('\n').filter(Boolean).sort();
}

async function leftOver(h: Harness): Promise<string> {
  return git(h.workspace.resolve('src'), ['status', '--porcelain', '--untracked-files=all']);
}

describe('git-commit stages where steps wrote', () => {
  it('commits what each writing step changed, and leaves nothing behind', async () => {
    const h = await workerHarness();
    await h.run(yamlUpdate, { path: 'src/apps/a/values.yaml', updates: [{ key: 'image.tag', value: '2' }] });
    await h.run(jsonUpdate, { path: 'src/apps/b/config.json', updates: [{ key: 'replicas', value: 3 }] });
    await h.run(kustomizeSetImage, { path: 'src/stages/dev', images: [{ image: 'ghcr.io/example/guestbook', tag: '2.0.0' }] });
    await h.run(fileWrite, { path: 'src/new/deep/notes.txt', contents: 'new\n' });
    await h.run(copy, { inPath: 'src/apps/a', outPath: 'src/apps/c' });
    await h.run(deleteStep, { paths: ['src/apps/old/*.yaml'], pathsAreGlobs: true });
    await h.run(yamlMerge, { inFiles: ['src/apps/a/values.yaml', 'src/apps/b/values.yaml'], outFile: 'src/merged/values.yaml' });
    await h.run(tar, { inPath: 'src/apps/b', outPath: 'out/b.tgz' });
    await h.run(untar, { inPath: 'out/b.tgz', outPath: 'src/unpacked', stripComponents: 1 });
    // Not a step's write: left out, which shows that only where steps wrote was staged.
    fs.writeFileSync(h.workspace.resolve('src/charts/guestbook/values.yaml'), 'bypassed: true\n');

    await h.run(gitCommit, { path: './src', message: 'Everything' });

    expect(await committed(h)).toEqual([
      'A\tapps/c/values.yaml',
      'A\tmerged/values.yaml',
      'A\tnew/deep/notes.txt',
      'A\tunpacked/config.json',
      'A\tunpacked/values.yaml',
      'D\tapps/old/drop.yaml',
      'M\tapps/a/values.yaml',
      'M\tapps/b/config.json',
      'M\tstages/dev/kustomization.yaml',
    ]);
    expect(await leftOver(h)).toBe(' M charts/guestbook/values.yaml\n');
  });

  it('stages everything when git refuses a place steps wrote in (an ignored directory), leaving the ignored file out as before', async () => {
    const h = await workerHarness();
    await h.run(yamlUpdate, { path: 'src/apps/a/values.yaml', updates: [{ key: 'image.tag', value: '2' }] });
    await h.run(fileWrite, { path: 'src/build/out/report.yaml', contents: 'ignored\n' });
    fs.writeFileSync(h.workspace.resolve('src/charts/guestbook/values.yaml'), 'found by the walk\n');

    await h.run(gitCommit, { path: './src', message: 'Refused place' });

    expect(await committed(h)).toEqual(['M\tapps/a/values.yaml', 'M\tcharts/guestbook/values.yaml']);
    expect(await leftOver(h)).toBe('');
  });

  it('commits a write through a symlink where it lands', async () => {
    const h = await workerHarness();
    fs.symlinkSync(h.workspace.resolve('src/apps/b'), h.workspace.resolve('link'));
    await h.run(yamlUpdate, { path: 'link/values.yaml', updates: [{ key: 'image.tag', value: '3' }] });

    await h.run(gitCommit, { path: './src', message: 'Through a link' });

    expect(await committed(h)).toEqual(['M\tapps/b/values.yaml']);
  });

  it('stages nothing when steps wrote nothing in the checkout: it reports HEAD without a walk', async () => {
    const h = await workerHarness();
    await h.run(fileWrite, { path: 'elsewhere.txt', contents: 'outside the checkout\n' });
    // Not a step's write: a walk would find and commit it.
    fs.writeFileSync(h.workspace.resolve('src/unseen.txt'), 'no step wrote this\n');
    const head = (await git(h.workspace.resolve('src'), ['rev-parse', 'HEAD'])).trim();

    const res = await h.run(gitCommit, { path: './src', message: 'Nothing' });

    expect(res.output).toEqual({ commit: head });
    expect(await leftOver(h)).toBe('?? unseen.txt\n');
  });

  it('walks the whole checkout after a write at its top (git-clear)', async () => {
    const h = await workerHarness();
    await h.run(gitClear, { path: './src' });

    await h.run(gitCommit, { path: './src', message: 'Cleared' });

    const tracked = (await git(h.workspace.resolve('src'), ['ls-tree', '-r', '--name-only', 'HEAD^'])).trim().split('\n');
    expect(await committed(h)).toEqual(tracked.map((f) => `D\t${f}`).sort());
    expect(await leftOver(h)).toBe('');
  });

  it('is a contract: a write that bypasses Workspace.resolveForWrite is not staged, unless the checkout is unknown', async () => {
    const h = await workerHarness();
    await h.run(yamlUpdate, { path: 'src/apps/a/values.yaml', updates: [{ key: 'image.tag', value: '2' }] });
    fs.writeFileSync(h.workspace.resolve('src/apps/b/values.yaml'), 'bypassed: true\n');

    await h.run(gitCommit, { path: './src', message: 'Known writes' });
    expect(await committed(h)).toEqual(['M\tapps/a/values.yaml']);
    expect(await leftOver(h)).toBe(' M apps/b/values.yaml\n');

    // A worker restarted since knows nothing of the checkout, and walks everything.
    checkoutWrites.forgetUnder(h.workspace.root);
    await h.run(gitCommit, { path: './src', message: 'After a restart' });
    expect(await committed(h)).toEqual(['M\tapps/b/values.yaml']);
    expect(await leftOver(h)).toBe('');
  });

});

describe('CheckoutWrites', () => {
  async function checkout(): Promise<{ writes: CheckoutWrites; dir: string }> {
    const dir = await tempDir(disposer, 'shunt-checkout-');
    for (const d of ['apps/a', 'apps/b', 'stages/dev']) fs.mkdirSync(path.join(dir, d), { recursive: true });
    fs.writeFileSync(path.join(dir, 'apps/a/values.yaml'), '');
    const writes = new CheckoutWrites();
    writes.checkedOut(dir);
    return { writes, dir };
  }

  it('knows nothing of a checkout it was not told about: everything is staged', async () => {
    const { dir } = await checkout();
    expect(new CheckoutWrites().toStage(dir)).toBeUndefined();
  });

  it('answers the outermost existing directories that hold the writes', async () => {
    const { writes, dir } = await checkout();
    expect(writes.toStage(dir)).toEqual([]);
    writes.wrote(path.join(dir, 'apps/a/values.yaml')); // a file: its directory
    writes.wrote(path.join(dir, 'apps/a/sub/new.yaml')); // below one already staged
    writes.wrote(path.join(dir, 'stages/dev')); // a directory: itself
    writes.wrote(path.join(dir, 'apps/b/gone/x.yaml')); // deleted, or never made: the nearest directory that exists
    writes.wrote(path.join(path.dirname(dir), 'elsewhere.yaml')); // outside the checkout
    expect(writes.toStage(dir)).toEqual(['apps/a', 'apps/b', 'stages/dev']);
    writes.wrote(path.join(dir, 'apps', 'b*', 'x.yaml')); // a pattern: where it starts
    expect(writes.toStage(dir)).toEqual(['apps', 'stages/dev']);
  });

  it('stages everything after a write at the top, above it, at the top by a missing path, or past 256 paths', async () => {
    for (const write of ['', '..', 'missing.yaml', '*.yaml']) {
      const { writes, dir } = await checkout();
      writes.wrote(path.join(dir, write));
      expect([write, writes.toStage(dir)]).toEqual([write, undefined]);
    }
    const { writes, dir } = await checkout();
    for (let i = 0; i <= 256; i++) writes.wrote(path.join(dir, 'apps/a', `f${i}.yaml`));
    expect(writes.toStage(dir)).toBeUndefined();
  });

  it('forgets the checkouts of a released workspace, and starts afresh on a new checkout', async () => {
    const { writes, dir } = await checkout();
    writes.wrote(path.join(dir, 'apps/a/values.yaml'));
    writes.forgetUnder(path.dirname(dir));
    expect(writes.toStage(dir)).toBeUndefined();
    writes.checkedOut(dir);
    expect(writes.toStage(dir)).toEqual([]);
  });
});
