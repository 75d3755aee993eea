/**
 * Issue 18, signed commits: git-clone's (and git-commit's deprecated) `author.signingKey`, a GPG
 * or an SSH private key generated here, signs the commits Shunt makes (including those a push
 * rebases onto a remote that moved on), so `git verify-commit` accepts them; the key never
 * reaches the workspace, and is gone when the checkout is released.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gitClone } from '../../activities/steps/git-clone.js';
import { gitCommit } from '../../activities/steps/git-commit.js';
import { gitPush } from '../../activities/steps/git-push.js';
import { commitToOrigin, createOrigin, Disposer, git, originHead, originLog, tempDir } from '../support/git-repos.js';
import { generateSSHKey } from '../support/ssh-server.js';
import { createHarness } from './harness.js';
import { holdPushLock, pushesWaiting, stagesCommitted } from './push-batches.js';

const execFileAsync = promisify(execFile);
const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** A GPG key without passphrase in a fresh GNUPGHOME: its armored secret key and the home to verify with. */
async function gpgKey(): Promise<{ home: string; armored: string }> {
  const home = await tempDir(disposer, 'gpg-');
  const env = { ...process.env, GNUPGHOME: home };
  await execFileAsync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'Shunt Signer <signer@example.test>', 'ed25519', 'sign', 'never'], { env });
  const { stdout } = await execFileAsync('gpg', ['--batch', '--armor', '--export-secret-keys'], { env });
  disposer.add(() => execFileAsync('gpgconf', ['--kill', 'all'], { env }).then(() => undefined, () => undefined));
  return { home, armored: stdout };
}

/** `git verify-commit` of `rev` in `repo`, with `env` (the verifier's keys); the status output. */
async function verify(repo: string, rev: string, env: Record<string, string>, config: string[] = []): Promise<string> {
  const { stderr } = await execFileAsync('git', [...config, 'verify-commit', '--raw', rev], { cwd: repo, env: { ...process.env, ...env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
  return stderr;
}

function noKeyIn(dir: string, key: string): void {
  const body = key.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'));
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const text = fs.readFileSync(p, 'utf8');
        for (const l of body) expect(text.includes(l) ? p : '').toBe('');
      }
    }
  };
  walk(dir);
}

describe('signed commits', () => {
  it('GPG: the commit git-commit makes verifies, and so does the one a push rebases', async () => {
    const origin = await createOrigin(disposer);
    const { home, armored } = await gpgKey();
    const h = await createHarness(disposer);
    await h.run(gitClone, {
      repoURL: origin.url,
      checkout: [{ path: 'src', branch: 'main' }],
      author: { name: 'Shunt Signer', email: 'signer@example.test', signingKey: armored },
    });
    const src = h.workspace.resolve('src');
    noKeyIn(h.workspace.root, armored);
    fs.writeFileSync(path.join(src, 'signed.txt'), 'signed\n');
    const made = await h.run(gitCommit, { path: 'src', message: 'signed change' });
    const sha = made.output?.['commit'] as string;
    expect(await verify(src, sha, { GNUPGHOME: home })).toMatch(/GOODSIG/);
    // The remote moves on: the push rebases, and the rebased commit is signed too.
    await commitToOrigin(disposer, origin, { 'other.txt': 'other\n' }, 'someone else');
    const pushed = await h.run(gitPush, { path: 'src' });
    expect(pushed.status).toBe('Succeeded');
    const head = await originHead(origin);
    expect(head).not.toBe(sha);
    expect(await verify(origin.dir, head, { GNUPGHOME: home })).toMatch(/GOODSIG/);
    // Nothing signing needed is left in the worker's private directory for secrets.
    expect(fs.readdirSync(path.join(h.dataDir, 'git', 'secrets'))).toEqual([]);
    await h.git.releaseWorktrees(h.workspace.root);
    noKeyIn(h.dataDir, armored);
  });

  it('GPG: checkouts that push to one branch as one are rebased each (fast-import cannot sign), and every pushed commit verifies', async () => {
    const origin = await createOrigin(disposer);
    const { home, armored } = await gpgKey();
    const author = { name: 'Shunt Signer', email: 'signer@example.test', signingKey: armored };
    const { first, harnesses } = await stagesCommitted(
      disposer,
      origin,
      ['env-a', 'env-b', 'env-c'].map((stage) => ({ stage, file: `${stage}/values.yaml`, content: 'replicas: 2\n' })),
      author,
    );
    const release = await holdPushLock(disposer, first, origin.url, 'main');
    const pushing = await pushesWaiting(first, harnesses);
    await release();
    const results = (await Promise.all(pushing)) as { status?: string; output?: Record<string, unknown> }[];

    expect(results.map((r) => r.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    expect(await originLog(origin)).toEqual(['Promote env-c', 'Promote env-b', 'Promote env-a', 'seed']);
    for (const r of results) expect(await verify(origin.dir, r.output?.['commit'] as string, { GNUPGHOME: home })).toMatch(/GOODSIG/);
  });

  it('SSH (gpg.format=ssh): the commit verifies against an allowed-signers file', async () => {
    const origin = await createOrigin(disposer);
    const keys = await generateSSHKey(await tempDir(disposer), 'signer');
    const allowed = path.join(await tempDir(disposer), 'allowed_signers');
    fs.writeFileSync(allowed, `signer@example.test ${keys.publicKey}\n`);
    const h = await createHarness(disposer);
    await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: 'src', branch: 'main' }] });
    const src = h.workspace.resolve('src');
    fs.writeFileSync(path.join(src, 'signed.txt'), 'signed\n');
    // git-commit's deprecated author.signingKey signs too.
    const made = await h.run(gitCommit, { path: 'src', message: 'signed change', author: { name: 'Shunt Signer', email: 'signer@example.test', signingKey: keys.privateKey } });
    const sha = made.output?.['commit'] as string;
    const out = await verify(src, sha, {}, ['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${allowed}`]);
    expect(out).toMatch(/Good "git" signature for signer@example.test/);
    noKeyIn(h.workspace.root, keys.privateKey);
  });

  it('without a signingKey commits are unsigned; a signingKey that is no private key is refused naming the field', async () => {
    const origin = await createOrigin(disposer);
    const h = await createHarness(disposer);
    await h.run(gitClone, { repoURL: origin.url, checkout: [{ path: 'src', branch: 'main' }] });
    const src = h.workspace.resolve('src');
    fs.writeFileSync(path.join(src, 'plain.txt'), 'plain\n');
    const made = await h.run(gitCommit, { path: 'src', message: 'plain' });
    expect(await git(src, ['cat-file', 'commit', made.output?.['commit'] as string])).not.toMatch(/gpgsig/);
    expect(() => gitClone.config.parse({ repoURL: origin.url, author: { name: 'a', email: 'a@b', signingKey: 'hunter2' } })).toThrow(
      /signingKey is neither an armored GPG private key .* nor an OpenSSH private key/,
    );
  });
});
