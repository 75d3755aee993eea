/** git-tag and git-push's `tag`, and the root-checkout spelling, against real repositories. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitClone } from '../../activities/steps/git-clone.js';
import { gitCommit } from '../../activities/steps/git-commit.js';
import { gitPush } from '../../activities/steps/git-push.js';
import { gitTag } from '../../activities/steps/git-tag.js';
import { commitToOrigin, createOrigin, Disposer, git, originHead, originLog, tagOrigin } from '../support/git-repos.js';
import { createHarness, errorOf } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

describe('git-tag', () => {
  it('tags HEAD, pushes the tag, and is a no-op the second time', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: 'src', branch: 'main' }] });
    const head = await originHead(origin);
    const tagged = await h.run(gitTag, { path: 'src', tag: 'v1.0.0', message: 'Release 1.0.0' });
    expect(tagged).toEqual({ status: 'Succeeded', output: { commit: head } });
    expect(await h.run(gitTag, { path: 'src', tag: 'v1.0.0', message: 'Release 1.0.0' })).toEqual(tagged);

    const pushed = await h.run(gitPush, { path: 'src', tag: 'v1.0.0' });
    expect(pushed).toEqual({ status: 'Succeeded', output: { tag: 'v1.0.0', commit: head } });
    expect((await git(origin.dir, ['rev-parse', 'v1.0.0^{commit}'])).trim()).toBe(head);
    expect((await git(origin.dir, ['cat-file', '-t', 'v1.0.0'])).trim()).toBe('tag');
    expect((await git(origin.dir, ['tag', '-l', '--format=%(contents)', 'v1.0.0'])).trim()).toBe('Release 1.0.0');
    expect(await h.run(gitPush, { path: 'src', tag: 'v1.0.0' })).toEqual(pushed);
  });

  it('refuses a tag that exists on another commit unless force', async () => {
    const origin = await createOrigin(disposer);
    await tagOrigin(origin, 'v1');
    await commitToOrigin(disposer, origin, { 'x.txt': 'x' }, 'later');
    const h = await createHarness(disposer);
    await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: 'src', branch: 'main' }] });
    const err = await errorOf(h.run(gitTag, { path: 'src', tag: 'v1' }));
    expect(err.code).toBe('StepFailed');
    expect(err.message).toMatch(/^tag "v1" already exists on commit [0-9a-f]{40}; set force: true to move it$/);
    await h.run(gitTag, { path: 'src', tag: 'v1', force: true });
    const rejected = await errorOf(h.run(gitPush, { path: 'src', tag: 'v1' }));
    expect(rejected.message).toMatch(/tag "v1" already exists on .* on another commit; set force: true/);
    await h.run(gitPush, { path: 'src', tag: 'v1', force: true });
    expect((await git(origin.dir, ['rev-parse', 'v1^{commit}'])).trim()).toBe(await originHead(origin));
  });

  it('rejects bad tag names and a push of a tag never made', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: 'src', branch: 'main' }] });
    expect((await errorOf(h.run(gitTag, { path: 'src', tag: 'bad..name' }))).message).toBe('tag "bad..name" is not a valid git ref name');
    expect((await errorOf(h.run(gitPush, { path: 'src', tag: 'v9' }))).message).toBe('tag "v9" does not exist in the checkout (run git-tag first)');
    expect(() => gitPush.config.parse({ path: 'src', tag: 'v1', targetBranch: 'x' })).toThrow(/set at most one of targetBranch, generateTargetBranch, tag/);
  });
});

describe('the loose git-clone spelling', () => {
  it('repoURL + branch clones into the workspace root, which git-commit and git-push without path use', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    await h.run(gitClone, { repoURL: origin.url, branch: 'main' });
    await fs.promises.writeFile(path.join(h.workspace.root, 'edit.yaml'), 'a: 1\n');
    const committed = await h.run(gitCommit, { message: 'root edit' });
    const pushed = await h.run(gitPush, {});
    expect(pushed.output?.['commit']).toBe(committed.output?.['commit']);
    expect(await originLog(origin)).toEqual(['root edit', 'seed']);
  });
});
