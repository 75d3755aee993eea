/** Shunt's worktree settings written straight into config.worktree, and read back by git itself. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cleanMessage, withTrailersPlainly } from '../../activities/adapters/git/commit.js';
import {
  parseShuntSection,
  quoteConfigValue,
  readShuntSettings,
  withoutOwnedSections,
  worktreeGitDir,
  writeShuntSetting,
} from '../../activities/adapters/git/worktree-config.js';
import { createWorkspace } from '../../activities/adapters/workspace.js';
import { createOrigin, Disposer, git, hermeticEnv, tempDir } from '../support/git-repos.js';
import { newGitService } from './harness.js';

const disposer = new Disposer();

/** An origin repository, a GitService on a fresh data dir, and a workspace path to check out into. */
async function checkoutPlace() {
  const origin = await createOrigin(disposer);
  const dataDir = await tempDir(disposer);
  const ws = await createWorkspace(path.join(dataDir, 'work'), 'p1');
  return { origin, svc: newGitService(dataDir), dir: ws.resolve('src') };
}
afterEach(() => disposer.dispose());

describe('worktree settings', () => {
  it('quotes values the way git reads them back: backslashes, quotes, tabs and newlines escaped', () => {
    expect(quoteConfigValue('plain')).toBe('"plain"');
    expect(quoteConfigValue('a "b" \\ c\td\ne')).toBe('"a \\"b\\" \\\\ c\\td\\ne"');
  });

  it('replaces only the sections Shunt owns and keeps the rest (git sparse-checkout\'s [core])', () => {
    const text = '[core]\n\tsparseCheckout = true\n[user]\n\tname = Old\n[shunt]\n\tref = parked\n[http]\n\tsslVerify = false\n[core]\n\tsparseCheckoutCone = true\n';
    expect(withoutOwnedSections(text)).toBe('[core]\n\tsparseCheckout = true\n[core]\n\tsparseCheckoutCone = true');
  });

  it('a checkout records ref, branch, sparse set and author; git reads every value back exactly, odd characters included', async () => {
    const { origin, svc, dir } = await checkoutPlace();
    const author = { name: 'Zoë "the" Builder\\', email: 'zoe@example.com' };
    await svc.checkout({ repoURL: origin.url, dir, branch: 'main', sparse: ['stages'], author, insecureSkipTLSVerify: true });
    const read = async (key: string): Promise<string> => (await git(dir, ['config', key])).replace(/\n$/, '');
    expect(await read('user.name')).toBe(author.name);
    expect(await read('user.email')).toBe(author.email);
    expect(await read('shunt.ref')).toBe('branch:main');
    expect(await read('shunt.branch')).toBe('main');
    expect(await read('shunt.sparse')).toMatch(/^sparse[0-9a-f]{12}$/);
    expect(await read('http.sslVerify')).toBe('false');
    expect(await read('core.sparseCheckout')).toBe('true');
    const file = fs.readFileSync(path.join(await worktreeGitDir(dir), 'config.worktree'), 'utf8');
    expect(file.match(/^\[shunt\]$/gm)).toHaveLength(1);
  });

  it('reads and sets one [shunt] key in the file as git does: git reads back what was set, and the reader what git set', async () => {
    const { origin, svc, dir } = await checkoutPlace();
    await svc.checkout({ repoURL: origin.url, dir, branch: 'main', author: { name: 'Zoë "the" Builder\\', email: 'z@example.com' } });
    expect(await readShuntSettings(dir)).toEqual({ ref: 'branch:main', branch: 'main', sparse: 'full' });

    expect(await writeShuntSetting(dir, 'ref', 'parked-dirty')).toBe(true);
    expect((await git(dir, ['config', 'shunt.ref'])).trim()).toBe('parked-dirty');
    expect((await git(dir, ['config', 'shunt.branch'])).trim()).toBe('main');
    expect((await git(dir, ['config', 'user.name'])).trim()).toBe('Zoë "the" Builder\\');

    await git(dir, ['config', '--worktree', 'shunt.ref', 'parked']);
    await git(dir, ['config', '--worktree', 'shunt-tag.v1', 'abc']);
    expect((await readShuntSettings(dir))?.['ref']).toBe('parked');
    expect(await writeShuntSetting(dir, 'sparse', 'full')).toBe(true);
    expect((await git(dir, ['config', 'shunt.sparse'])).trim()).toBe('full');
    expect((await git(dir, ['config', 'shunt-tag.v1'])).trim()).toBe('abc');
  });

  it('takes only what it can read exactly, and leaves the rest to git', () => {
    expect(parseShuntSection('[core]\n\tbare = false\n[shunt]\n\tref = parked\n\tRef = "parked-dirty"\n# note\n[shunt "x"]\n\tref = other\n')).toEqual({ ref: 'parked-dirty' });
    expect(parseShuntSection('')).toEqual({});
    expect(parseShuntSection('[shunt]\n\tname = "a \\"b\\" \\\\ c\\td\\ne"\n')).toEqual({ name: 'a "b" \\ c\td\ne' });
    for (const odd of ['[shunt]\n\tref = parked # a comment\n', '[shunt]\n\tref = par\\\nked\n', '[shunt] ref = parked\n', '[shunt]\n\tref\n']) {
      expect([odd, parseShuntSection(odd)]).toEqual([odd, undefined]);
    }
  });
});

describe('commit message clean-up (git commit -F without an editor)', () => {
  it('drops trailing whitespace, leading and trailing blank lines, and runs of blank lines; keeps # lines', () => {
    expect(cleanMessage('\n\nsubject  \n\n\n\nbody\t\n# not a comment here\n\n')).toBe('subject\n\nbody\n# not a comment here\n');
    expect(cleanMessage(' \n\t\n')).toBe('');
  });
});

describe('trailers added without git (withTrailersPlainly)', () => {
  const cases: [string, [string, string][]][] = [
    ['subject\n', [['Shunt-Promotion', 'dev.01j0000000000000000000000.abc1234']]],
    ['fix: a thing\n', [['Shunt-Promotion', 'p']]],
    ['Signed-off-by: A <a@x>\n', [['Shunt-Promotion', 'p']]],
    ['line one\nKey: value\n', [['Shunt-Promotion', 'p'], ['Reviewed-by', 'Bob Example <bob@x>']]],
    ['subject\n\nbody\n', [['Shunt-Promotion', 'p']]],
    ['subject\n\nKey: value\n', [['Shunt-Promotion', 'p']]],
    ['subject\n--- not a divider?\n', [['Shunt-Promotion', 'p']]],
    ['# a comment\nsubject\n', [['Shunt-Promotion', 'p']]],
    ['subject\n', [['Shunt-Promotion', 'p'], ['shunt-promotion', 'q']]],
    ['subject\n', [['Shunt Promotion', 'p']]],
    ['subject\n', [['Shunt-Promotion', ' padded ']]],
    ['Updated ./stages/dev to use new image\n\n- ghcr.io/acme/guestbook:1.2.3\n', [['Shunt-Promotion', 'p']]],
    ['Updated ./stages/dev to use new images\n\n- a:1\n- b@sha256:0123\n', [['Shunt-Promotion', 'p']]],
    ['subject\n\nbody line one\nbody line two\n\n- a list\n', [['Shunt-Promotion', 'p']]],
    ['subject\n\nbody\nReviewed-by: Bob <bob@x>\n', [['Shunt-Promotion', 'p']]],
    ['subject\n\n- item\n  continued\n', [['Shunt-Promotion', 'p']]],
    ['subject\n\n-: odd\n', [['Shunt-Promotion', 'p']]],
    ['subject\n\nKey : spaced\n', [['Shunt-Promotion', 'p']]],
    ['subject\n\n(cherry picked from commit 0123)\n', [['Shunt-Promotion', 'p']]],
    ['subject\n\nnote: lower case\n', [['Shunt-Promotion', 'p']]],
  ];

  it.each(cases)('adds to %j what git interpret-trailers adds, or leaves it to git', async (message, trailers) => {
    const dir = await tempDir(disposer, 'trailers-');
    const args = ['interpret-trailers', ...trailers.map(([k, v]) => `--trailer=${k}: ${v}`)];
    const fromGit = spawnSync('git', args, { cwd: dir, input: message, env: hermeticEnv(), encoding: 'utf8' }).stdout;

    const plain = withTrailersPlainly(message, trailers);

    if (plain !== undefined) expect(plain).toBe(fromGit);
  });

  it('takes the plain messages a promotion commits, and leaves the others to git', () => {
    const taken = cases.filter(([m, t]) => withTrailersPlainly(m, t) !== undefined).map(([m]) => m);
    expect(taken).toEqual([
      'subject\n',
      'fix: a thing\n',
      'Signed-off-by: A <a@x>\n',
      'line one\nKey: value\n',
      'subject\n\nbody\n',
      'Updated ./stages/dev to use new image\n\n- ghcr.io/acme/guestbook:1.2.3\n',
      'Updated ./stages/dev to use new images\n\n- a:1\n- b@sha256:0123\n',
      'subject\n\nbody line one\nbody line two\n\n- a list\n',
    ]);
  });
});

describe('a commit made with plumbing', () => {
  it('refuses a message that is empty after clean-up, and makes no commit', async () => {
    const { origin, svc, dir } = await checkoutPlace();
    const { commit: before } = await svc.checkout({ repoURL: origin.url, dir, branch: 'main' });
    fs.writeFileSync(path.join(dir, 'new.txt'), 'x\n');
    await expect(svc.commit(dir, { message: ' \n\t\n' })).rejects.toThrow('the commit message is empty');
    expect(await svc.head(dir)).toBe(before);
  });

  it('commits new and changed files with the cleaned message and its trailer, on top of HEAD', async () => {
    const { origin, svc, dir } = await checkoutPlace();
    const { commit: before } = await svc.checkout({ repoURL: origin.url, dir, branch: 'main' });
    fs.writeFileSync(path.join(dir, 'new.txt'), 'x\n');
    fs.appendFileSync(path.join(dir, 'README.md'), 'more\n');
    const res = await svc.commit(dir, { message: '\nsubject  \n\n\nbody\n', trailers: { 'Shunt-Promotion': 'dev.p1' } });
    expect(res.created).toBe(true);
    expect(await svc.head(dir)).toBe(res.commit);
    expect((await git(dir, ['rev-parse', 'HEAD~1'])).trim()).toBe(before);
    expect(await svc.headMessage(dir)).toBe('subject\n\nbody\n\nShunt-Promotion: dev.p1\n\n');
    expect((await git(dir, ['status', '--porcelain'])).trim()).toBe('');
    const again = await svc.commit(dir, { message: 'nothing' });
    expect(again).toEqual({ commit: res.commit, created: false });
  });
});
