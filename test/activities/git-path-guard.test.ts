/**
 * Issue 13, finding 1: a project admin ran commands on the worker by making `./evil/.git` with
 * file-write steps (`core.fsmonitor = <command>` in its config) and then `git-commit` on
 * `./evil`. What holds now, each a mechanism every step goes through:
 * - no step writes, copies, extracts, downloads or deletes into a path with a `.git` component
 *   (any case, also through a symlink): Workspace.resolveForWrite, via step-files.ts;
 * - git runs only in checkouts that are worktrees of the worker's own mirrors (own-checkout.ts);
 * - a `.git` planted anyway (by hand here, as untar or a bug could) runs nothing.
 * The registry checks make a new step kind fail here until it is listed with its write paths.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { create } from 'tar';
import { STEP_REGISTRY } from '../../activities/steps/registry.js';
import { copy } from '../../activities/steps/copy.js';
import { fileWrite } from '../../activities/steps/file-write.js';
import { gitCommit } from '../../activities/steps/git-commit.js';
import { tar } from '../../activities/steps/tar.js';
import { untar } from '../../activities/steps/untar.js';
import { createOrigin, Disposer, git, tempDir } from '../support/git-repos.js';
import { createHarness, errorOf, place, type Harness } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const GIT_PATH_MESSAGE = (p: string): string =>
  `path ${JSON.stringify(p)} is inside a .git directory: steps may not write git metadata (git-clone makes checkouts)`;
const FOREIGN = /the path holds a \.git that is not a checkout made by this worker's git-clone \(.*\); refusing to run git there/;

/**
 * A real repository at `<workspace>/<rel>` whose config asks git to run `hook` for fsmonitor and
 * every hook; the hook writes `marker`. Returns the marker's path.
 */
async function plantRepo(h: Harness, rel: string): Promise<string> {
  const outside = await tempDir(disposer, 'shunt-attacker-');
  const marker = path.join(outside, 'pwned');
  const hook = path.join(outside, 'hook.sh');
  fs.writeFileSync(hook, `#!/bin/sh\ntouch ${JSON.stringify(marker)}\nexit 0\n`, { mode: 0o755 });
  const hooks = path.join(outside, 'hooks');
  fs.mkdirSync(hooks);
  for (const name of ['pre-commit', 'post-checkout', 'reference-transaction', 'post-index-change', 'pre-push', 'post-commit']) {
    fs.copyFileSync(hook, path.join(hooks, name));
    fs.chmodSync(path.join(hooks, name), 0o755);
  }
  const dir = h.workspace.resolve(rel);
  fs.mkdirSync(dir, { recursive: true });
  await git(dir, ['init', '--quiet']);
  await git(dir, ['config', 'core.fsmonitor', hook]);
  await git(dir, ['config', 'core.hooksPath', hooks]);
  fs.writeFileSync(path.join(dir, 'app.yaml'), 'a: 1\n');
  return marker;
}

describe('the attack of issue 13 finding 1', () => {
  it('file-write into ./evil/.git/... is refused with a clear error and writes nothing', async () => {
    const h = await createHarness(disposer);
    for (const file of ['evil/.git/HEAD', 'evil/.git/config', 'evil/.git/objects/.keep', 'evil/.git/refs/heads/.keep']) {
      const err = await errorOf(h.run(fileWrite, { path: file, contents: '[core]\n\tfsmonitor = "touch /tmp/pwned"\n' }));
      expect(err.code).toBe('PathEscape');
      expect(err.message).toBe(GIT_PATH_MESSAGE(file));
    }
    expect(fs.existsSync(path.join(h.workspace.root, 'evil'))).toBe(false);
    const err = await errorOf(h.run(gitCommit, { path: './evil', message: 'x' }));
    expect(err.message).toBe('path "./evil" is not a git checkout (run git-clone first)');
  });

  it('refuses any letter case, nested .git components, and a symlink into a .git directory', async () => {
    const h = await createHarness(disposer);
    await plantRepo(h, 'planted');
    fs.symlinkSync('planted/.git', path.join(h.workspace.root, 'gd'));
    fs.symlinkSync('planted', path.join(h.workspace.root, 'pl'));
    const before = snapshot(h.workspace.root);
    for (const file of ['evil/.GIT/config', 'a/.Git/b/c', './x/../evil/.git/config', 'gd/config', 'gd/hooks/pre-commit', 'pl/.git/config', '.git']) {
      const err = await errorOf(h.run(fileWrite, { path: file, contents: 'x' }));
      expect([file, err.code, err.message]).toEqual([file, 'PathEscape', GIT_PATH_MESSAGE(file)]);
    }
    expect(snapshot(h.workspace.root)).toEqual(before);
  });

  it('a .git directory planted in the workspace anyway makes git-commit run nothing: it is refused', async () => {
    const h = await createHarness(disposer);
    const marker = await plantRepo(h, 'evil');
    // The plant is live: plain git there runs the attacker's command (what git-commit did before).
    const control = await tempDir(disposer, 'shunt-control-');
    fs.cpSync(path.join(h.workspace.root, 'evil'), control, { recursive: true });
    await git(control, ['add', '--all']);
    expect(fs.existsSync(marker)).toBe(true);
    fs.rmSync(marker);

    const err = await errorOf(h.run(gitCommit, { path: './evil', message: 'x' }));
    expect(err.code).toBe('StepFailed');
    expect(err.message).toMatch(FOREIGN);
    expect(err.message).toContain('.git is a directory');
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('a .git file pointing at a planted git dir is refused too', async () => {
    const h = await createHarness(disposer);
    const marker = await plantRepo(h, 'real');
    fs.renameSync(path.join(h.workspace.root, 'real/.git'), path.join(h.workspace.root, 'real/gitdir'));
    await place(h, 'real/.git', 'gitdir: gitdir\n');
    const err = await errorOf(h.run(gitCommit, { path: 'real', message: 'x' }));
    expect(err.message).toMatch(FOREIGN);
    expect(err.message).toContain("its git dir is not in the worker's mirrors");
    expect(fs.existsSync(marker)).toBe(false);
  });
});

describe('tree writers leave .git out', () => {
  it('untar refuses an archive with a .git entry (any case) before writing anything', async () => {
    const h = await createHarness(disposer);
    await place(h, 'src/pkg/.GIT/config', '[core]\n\tfsmonitor = x\n');
    await place(h, 'src/pkg/a.yaml', 'a: 1\n');
    await create({ file: path.join(h.workspace.root, 'evil.tar'), cwd: path.join(h.workspace.root, 'src') }, ['pkg']);
    const err = await errorOf(h.run(untar, { inPath: 'evil.tar', outPath: 'out' }));
    expect(err.code).toBe('PathEscape');
    expect(err.message).toBe(
      'refusing to extract "evil.tar": entry "pkg/.GIT/" is inside a .git directory (steps may not write git metadata);' +
        ' entry "pkg/.GIT/config" is inside a .git directory (steps may not write git metadata)',
    );
    expect(fs.existsSync(path.join(h.workspace.root, 'out'))).toBe(false);
  });

  it('copy and tar leave out .git entries in any case', async () => {
    const h = await createHarness(disposer);
    await place(h, 'src/.GIT/config', 'x');
    await place(h, 'src/sub/.git', 'gitdir: x');
    await place(h, 'src/a.yaml', 'a: 1\n');
    await h.run(copy, { inPath: 'src', outPath: 'dst' });
    expect(fs.readdirSync(path.join(h.workspace.root, 'dst')).sort()).toEqual(['a.yaml', 'sub']);
    expect(fs.readdirSync(path.join(h.workspace.root, 'dst/sub'))).toEqual([]);
    await h.run(tar, { inPath: 'src', outPath: 'src.tar' });
    const entries: string[] = [];
    const { list } = await import('tar');
    await list({ file: path.join(h.workspace.root, 'src.tar'), onReadEntry: (e) => entries.push(e.path) });
    expect(entries.filter((e) => /\.git/i.test(e))).toEqual([]);
  });
});

/**
 * Every registered step kind, with what it writes into the workspace. A kind that writes gets a
 * config aiming at a `.git` path (or at a planted repository, for the git steps) and must refuse
 * it; a kind that writes nothing in the workspace says so. A new step kind fails this test until
 * it is listed here.
 */
type Case =
  | { writes: false; why: string }
  | { writes: true; config: (h: Harness, originURL: string) => Promise<unknown>; expect: 'git-path' | 'foreign' };

const gitPath = (config: (h: Harness, originURL: string) => Promise<unknown>): Case => ({ writes: true, config, expect: 'git-path' });
const foreign = (config: Record<string, unknown>): Case => ({
  writes: true,
  expect: 'foreign',
  config: async (h) => {
    await plantRepo(h, 'planted');
    return config;
  },
});

const CASES: Record<string, Case> = {
  'argocd-update': { writes: false, why: 'talks to Argo CD only' },
  'argocd-wait': { writes: false, why: 'talks to Argo CD only' },
  'compose-output': { writes: false, why: 'outputs only' },
  'copy': gitPath(async (h) => (await place(h, 'src/a', 'x'), { inPath: 'src', outPath: 'evil/.git' })),
  'delete': gitPath(async (h) => (await plantRepo(h, 'planted'), { path: 'planted/.git' })),
  'fail': { writes: false, why: 'fails only' },
  'file-write': gitPath(async () => ({ path: 'evil/.git/config', contents: 'x' })),
  'git-clear': foreign({ path: 'planted' }),
  'git-clone': gitPath(async (_h, url) => ({ repoURL: url, checkout: [{ path: 'evil/.git' }] })),
  'git-commit': foreign({ path: 'planted', message: 'm' }),
  'git-merge-pr': { writes: false, why: 'talks to the git provider only' },
  'git-open-pr': { writes: false, why: "works in the worker's mirror only" },
  'git-push': foreign({ path: 'planted' }),
  'git-tag': foreign({ path: 'planted', tag: 'v1' }),
  'git-wait-for-pr': { writes: false, why: 'talks to the git provider only' },
  'github-push': foreign({ path: 'planted' }),
  'helm-template': gitPath(async (h) => (await place(h, 'chart/Chart.yaml', 'name: c\nversion: 1.0.0\n'), { path: 'chart', outPath: 'evil/.git/out', releaseName: 'r' })),
  'helm-update-chart': gitPath(async (h) => (await place(h, 'evil/.git/Chart.yaml', 'name: c\n'), { path: 'evil/.git' })),
  'http': { writes: false, why: 'reads bodyFromFile only' },
  'http-download': gitPath(async () => ({ url: 'http://127.0.0.1:9/x', outPath: 'evil/.git/config' })),
  'json-parse': { writes: false, why: 'reads only' },
  'json-update': gitPath(async (h) => (await place(h, 'evil/.git/x.json', '{}'), { path: 'evil/.git/x.json', updates: [{ key: 'a', value: 1 }] })),
  'kustomize-build': gitPath(async (h) => (await place(h, 'k/kustomization.yaml', 'resources: []\n'), { path: 'k', outPath: 'evil/.git/out.yaml' })),
  'kustomize-set-image': gitPath(async (h) => (await place(h, 'evil/.git/kustomization.yaml', 'images: []\n'), { path: 'evil/.git', images: [{ image: 'x', tag: '1' }] })),
  'oci-download': gitPath(async () => ({ imageRef: '127.0.0.1:9/x:1', outPath: 'evil/.git/x' })),
  'oci-push': { writes: false, why: 'copies between registries only' },
  'send-message': { writes: false, why: 'talks to a message channel only' },
  'set-freight-alias': { writes: false, why: 'changes Shunt state only' },
  'set-metadata': { writes: false, why: 'changes Shunt state only' },
  'tar': gitPath(async (h) => (await place(h, 'src/a', 'x'), { inPath: 'src', outPath: 'evil/.git/x.tar' })),
  'toml-parse': { writes: false, why: 'reads only' },
  'toml-update': gitPath(async (h) => (await place(h, 'evil/.git/x.toml', 'a = 0\n'), { path: 'evil/.git/x.toml', updates: [{ key: 'a', value: 1 }] })),
  'untar': gitPath(async (h) => (await place(h, 'a.tar', 'x'), { inPath: 'a.tar', outPath: 'evil/.git' })),
  'wait-for-approval': { writes: false, why: 'waits only' },
  'yaml-merge': gitPath(async (h) => (await place(h, 'a.yaml', 'a: 1\n'), { inFiles: ['a.yaml'], outFile: 'evil/.git/config' })),
  'yaml-parse': { writes: false, why: 'reads only' },
  'yaml-update': gitPath(async (h) => (await place(h, 'evil/.git/v.yaml', 'a: 0\n'), { path: 'evil/.git/v.yaml', updates: [{ key: 'a', value: 1 }] })),
};

describe('every step kind goes through the path mechanism', () => {
  it('lists every registered step kind', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(STEP_REGISTRY).sort());
  });

  const writers = Object.entries(CASES).filter((e): e is [string, Extract<Case, { writes: true }>] => e[1].writes);
  it.each(writers)('%s refuses to write git metadata', async (kind, c) => {
    const h = await createHarness(disposer);
    const origin = await createOrigin(disposer);
    const config = await c.config(h, origin.url);
    const before = snapshot(h.workspace.root);
    const err = await errorOf(h.run(STEP_REGISTRY[kind] as never, config));
    if (c.expect === 'git-path') {
      expect([err.code, err.message]).toEqual(['PathEscape', expect.stringContaining('is inside a .git directory')]);
    } else {
      expect([err.code, err.message]).toEqual(['StepFailed', expect.stringMatching(FOREIGN)]);
    }
    expect(snapshot(h.workspace.root)).toEqual(before);
  });

  it('no step file calls a file-system write itself (step-files.ts does, through resolveForWrite)', () => {
    const dir = path.resolve('activities/steps');
    const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(30);
    const writes =
      /\b(writeFile|appendFile|mkdir|mkdtemp|cp|copyFile|rename|rm|rmdir|unlink|symlink|link|chmod|chown|truncate|open|createWriteStream|utimes|extract)(Sync)?\(/;
    const offenders = files.flatMap((f) =>
      fs
        .readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .map((line, i) => ({ where: `${f}:${i + 1}`, line }))
        .filter(({ line }) => !line.trim().startsWith('*') && !line.trim().startsWith('//') && writes.test(line.replace(/\bfs\.promises\.(readFile|lstat|stat|readdir|readlink|realpath)\(/g, '')))
        .map(({ where, line }) => `${where}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });
});

/** Every path under `root` with its content (files) or `dir`, for "nothing changed" checks. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of fs.readdirSync(root, { recursive: true }) as string[]) {
    const abs = path.join(root, rel);
    const st = fs.lstatSync(abs);
    out[rel] = st.isFile() ? fs.readFileSync(abs, 'utf8') : st.isDirectory() ? 'dir' : 'other';
  }
  return out;
}

