/**
 * Issue 13, finding 1 (git side) and 13 (repoURL passwords): every git process Shunt starts runs
 * hermetically, with config-driven command execution off, even when a repository's config asks
 * for it; repository URLs that would run a command, store a password or point into the data
 * directory are refused before any git process sees them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GitService } from '../../activities/adapters/git/index.js';
import { allowedProtocols, hermeticEnv as gitHermeticEnv } from '../../activities/adapters/git/hermetic-env.js';
import { createWorkspace } from '../../activities/adapters/workspace.js';
import { createOrigin, Disposer, git, hermeticEnv, originHead, tempDir } from '../support/git-repos.js';
import { newGitService } from './harness.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

/** A hook script writing `marker`, and a hooks directory full of it. */
async function attackerHook(): Promise<{ hook: string; hooks: string; marker: string }> {
  const dir = await tempDir(disposer, 'shunt-attacker-');
  const marker = path.join(dir, 'pwned');
  const hook = path.join(dir, 'hook.sh');
  fs.writeFileSync(hook, `#!/bin/sh\ntouch ${JSON.stringify(marker)}\nexit 0\n`, { mode: 0o755 });
  const hooks = path.join(dir, 'hooks');
  fs.mkdirSync(hooks);
  for (const name of ['pre-commit', 'post-checkout', 'reference-transaction', 'post-index-change', 'pre-push', 'post-rewrite', 'pre-rebase']) {
    fs.copyFileSync(hook, path.join(hooks, name));
    fs.chmodSync(path.join(hooks, name), 0o755);
  }
  return { hook, hooks, marker };
}

describe('git runs with hooks and fsmonitor off whatever the repository config says', () => {
  it('commits and pushes from a checkout whose mirror and worktree config ask for fsmonitor and hooks', async () => {
    const origin = await createOrigin(disposer);
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    const ws = await createWorkspace(path.join(dataDir, 'work'), 'p1');
    const dir = ws.resolve('src');
    await svc.checkout({ repoURL: origin.url, dir, branch: 'main' });
    const { hook, hooks, marker } = await attackerHook();
    const mirror = svc.mirrorDir(origin.url);
    await git(mirror, ['config', 'core.fsmonitor', hook]);
    await git(mirror, ['config', 'core.hooksPath', hooks]);
    await git(dir, ['config', '--worktree', 'core.fsmonitor', hook]);
    fs.cpSync(path.join(hooks, 'pre-commit'), path.join(mirror, 'hooks', 'pre-commit'));

    // The config is live: git without Shunt's settings runs the command.
    await git(dir, ['status']);
    expect(fs.existsSync(marker)).toBe(true);
    fs.rmSync(marker);

    fs.writeFileSync(path.join(dir, 'new.txt'), 'new\n');
    const made = await svc.commit(dir, { message: 'change' });
    expect(made.created).toBe(true);
    const pushed = await svc.push(dir, {});
    expect(pushed.pushed).toBe(true);
    expect(await originHead(origin)).toBe(made.commit);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('the environment of every git process is hermetic and hardened', () => {
    const env = gitHermeticEnv(
      { PATH: '/usr/bin', GIT_CONFIG_PARAMETERS: "'core.fsmonitor'='x'", GIT_DIR: '/elsewhere', GIT_ALLOW_PROTOCOL: 'ext:file:https' },
      '/data/git/no-hooks',
    );
    expect(env['GIT_CONFIG_PARAMETERS']).toBeUndefined();
    expect(env['GIT_DIR']).toBeUndefined();
    expect(env).toMatchObject({ GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_ALLOW_PROTOCOL: 'file:https', GIT_ASKPASS: '', GIT_SSH_COMMAND: 'ssh' });
    const config: Record<string, string> = {};
    for (let i = 0; i < Number(env['GIT_CONFIG_COUNT']); i++) config[env[`GIT_CONFIG_KEY_${i}`] as string] = env[`GIT_CONFIG_VALUE_${i}`] as string;
    expect(config).toMatchObject({
      'core.fsmonitor': 'false',
      'core.hooksPath': '/data/git/no-hooks',
      'protocol.ext.allow': 'never',
      'credential.helper': '',
    });
    expect(allowedProtocols({})).toEqual(['http', 'https', 'ssh']);
  });
});

describe('repository URLs git may not be pointed at', () => {
  it('refuses ext:: even when the environment allows it, and runs nothing', async () => {
    const dataDir = await tempDir(disposer);
    const { marker } = await attackerHook();
    const svc = new GitService({ dataDir, env: hermeticEnv({ GIT_ALLOW_PROTOCOL: 'ext:file:https' }) });
    const err = (await svc.syncMirror(`ext::sh -c touch% ${marker}`).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(`repoURL "ext::sh -c touch% ${marker}": the transport::address form is not allowed`);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('refuses a password in the URL before it reaches the mirror config', async () => {
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    const url = 'https://deploy:s3cr3t@git.example.com/org/repo.git';
    const err = (await svc.syncMirror(url).catch((e: unknown) => e)) as Error & { code?: string };
    expect(err.code).toBe('StepFailed');
    expect(err.message).toBe(
      'repoURL "https://***@git.example.com/org/repo.git" must not carry a password or token in its userinfo (user:password@host); put the credential in a credential Secret instead',
    );
    expect(fs.existsSync(svc.mirrorDir(url))).toBe(false);
  });

  it('refuses local repositories inside the data directory and relative paths', async () => {
    const dataDir = await tempDir(disposer);
    const svc = newGitService(dataDir);
    const inside = await createOrigin(disposer, { root: path.join(dataDir, 'work', 'p1') });
    for (const url of [inside.url, inside.dir]) {
      const err = (await svc.syncMirror(url).catch((e: unknown) => e)) as Error;
      expect(err.message).toContain("names a repository inside the worker's data directory, which is not allowed");
    }
    const err = (await svc.syncMirror('../work/p1/origin.git').catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('repoURL "../work/p1/origin.git": a local repository must be named by an absolute path');
  });

  it('allows only http, https and ssh unless the worker environment says otherwise', async () => {
    const origin = await createOrigin(disposer);
    const dataDir = await tempDir(disposer);
    const env = hermeticEnv();
    delete env['GIT_ALLOW_PROTOCOL'];
    const svc = new GitService({ dataDir, env });
    const err = (await svc.syncMirror(pathToFileURL(origin.dir).href).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/transport 'file' not allowed/);
  });
});
