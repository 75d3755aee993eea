/**
 * Issue 18, SSH git credentials: a `cred-type: git` Secret's `sshPrivateKey` reaches repositories
 * at `ssh://` and `user@host:path` URLs, against a real sshd on loopback, in discovery and in the
 * git steps (clone, commit, push through the worker's mirror). Host keys are checked against
 * SHUNT_SSH_KNOWN_HOSTS unless the repository says insecureSkipTLSVerify; the key lives only in a
 * 0600 file for the length of one git command and never shows in a message or in git's config.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileCredentialStore } from '../../activities/adapters/credentials.js';
import { GitService } from '../../activities/adapters/git/index.js';
import { hermeticEnv as gitHermeticEnv } from '../../activities/adapters/git/hermetic-env.js';
import { discoverCommits } from '../../activities/discovery/git.js';
import { gitClone } from '../../activities/steps/git-clone.js';
import { gitCommit } from '../../activities/steps/git-commit.js';
import { gitPush } from '../../activities/steps/git-push.js';
import { createOrigin, Disposer, hermeticEnv, originHead, tempDir, type Origin } from '../support/git-repos.js';
import { generateSSHKey, SSHServer } from '../support/ssh-server.js';
import { createHarness } from './harness.js';

const disposer = new Disposer();
let server: SSHServer;
let origin: Origin;
let key: { privateKey: string; publicKey: string };
let otherKey: { privateKey: string; publicKey: string };
let knownHosts: string;

beforeAll(async () => {
  const dir = await tempDir(disposer, 'shunt-sshd-');
  key = await generateSSHKey(dir, 'deploy');
  otherKey = await generateSSHKey(dir, 'stranger');
  server = new SSHServer(dir, [key.publicKey]);
  await server.start();
  knownHosts = path.join(dir, 'known_hosts');
  fs.writeFileSync(knownHosts, `${server.knownHostsLine}\n`);
  origin = await createOrigin(disposer);
});
afterAll(async () => {
  await server.stop();
  await disposer.dispose();
});

/** The worker's environment: ssh allowed, the operator's known hosts, and `PATH` first `extraPath`. */
function workerEnv(extra: Record<string, string> = {}): Record<string, string> {
  return hermeticEnv({ GIT_ALLOW_PROTOCOL: 'file:https:ssh', SHUNT_SSH_KNOWN_HOSTS: knownHosts, ...extra });
}

async function service(env = workerEnv()): Promise<{ svc: GitService; dataDir: string }> {
  const dataDir = await tempDir(disposer, 'shunt-data-');
  return { svc: new GitService({ dataDir, env, pushBackoffMs: 10 }), dataDir };
}

/** What no message may contain: the key, or any line of its body. */
function keyFragments(k: string): string[] {
  return k.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'));
}

function secretsLeft(dataDir: string): string[] {
  const dir = path.join(dataDir, 'git', 'secrets');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

/** A Secret file like Kargo's, in project guestbook's namespace. */
async function credentialFile(repoURL: string, privateKey: string): Promise<string> {
  const dir = await tempDir(disposer, 'shunt-creds-');
  const indented = privateKey.trim().split('\n').map((l) => `    ${l}`).join('\n');
  fs.writeFileSync(
    path.join(dir, 'repo.yaml'),
    `apiVersion: v1
kind: Secret
metadata:
  name: gitops-ssh
  namespace: guestbook
  labels:
    kargo.akuity.io/cred-type: git
stringData:
  repoURL: ${repoURL}
  sshPrivateKey: |
${indented}
`,
  );
  return dir;
}

describe('SSH credentials', () => {
  it('git-clone, git-commit and git-push work over ssh:// with the Secret\'s key; the key file is gone afterwards', async () => {
    const url = server.url(origin.dir);
    const { svc, dataDir } = await service();
    const store = new FileCredentialStore(await credentialFile(url, key.privateKey));
    const h = await createHarness(disposer, { git: svc, dataDir, credentials: store });
    const cloned = await h.run(gitClone, { repoURL: url, checkout: [{ path: 'src', branch: 'main' }] });
    expect(cloned.status).toBe('Succeeded');
    fs.writeFileSync(path.join(h.workspace.resolve('src'), 'over-ssh.txt'), 'hello\n');
    const committed = await h.run(gitCommit, { path: 'src', message: 'over ssh' });
    const pushed = await h.run(gitPush, { path: 'src' });
    expect(pushed.status).toBe('Succeeded');
    expect(await originHead(origin)).toBe(committed.output?.['commit']);
    expect(secretsLeft(dataDir)).toEqual([]);
    // Nothing of the key in the mirror's config (only the URL).
    const config = fs.readFileSync(path.join(svc.mirrorDir(url), 'config'), 'utf8');
    for (const f of keyFragments(key.privateKey)) expect(config).not.toContain(f);
  });

  it('discovers commits over an scp-like user@host:path URL', async () => {
    // scp-like URLs carry no port: a wrapper `ssh` first in PATH adds the test server's.
    const bin = await tempDir(disposer, 'shunt-bin-');
    // It also records the mode of the key file ssh is given with -i, while the command runs.
    const seen = path.join(bin, 'seen');
    fs.writeFileSync(
      path.join(bin, 'ssh'),
      `#!/bin/sh\nprev=\nfor a in "$@"; do [ "$prev" = -i ] && stat -c '%a %n' "$a" >> ${seen}; prev=$a; done\nexec /usr/bin/ssh -p ${server.port} "$@"\n`,
      { mode: 0o755 },
    );
    const { svc, dataDir } = await service(workerEnv({ PATH: `${bin}:${process.env['PATH'] ?? ''}` }));
    const url = `${server.user}@127.0.0.1:${origin.dir}`;
    const found = await discoverCommits({ repoURL: url, discoveryLimit: 5 }, { git: svc, credentials: { sshPrivateKey: key.privateKey } });
    expect(found[0]?.id).toBe(await originHead(origin));
    const files = fs.readFileSync(seen, 'utf8').trim().split('\n');
    expect(files.length).toBeGreaterThan(0);
    for (const line of files) {
      const [mode, file] = line.split(' ') as [string, string];
      expect(mode).toBe('600');
      expect(file.startsWith(path.join(dataDir, 'git', 'secrets') + path.sep)).toBe(true);
      expect(fs.existsSync(file)).toBe(false);
    }
    expect(secretsLeft(dataDir)).toEqual([]);
  });

  it('a key the server does not know: an authentication error that shows nothing of the key', async () => {
    const { svc, dataDir } = await service();
    const err = await svc.syncMirror(server.url(origin.dir), { credentials: { sshPrivateKey: otherKey.privateKey } }).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'DomainError', code: 'Unavailable' });
    expect((err as Error).message).toMatch(/authentication to .* failed \(the configured credentials were rejected\)/);
    for (const f of keyFragments(otherKey.privateKey)) expect((err as Error).message).not.toContain(f);
    expect(secretsLeft(dataDir)).toEqual([]);
  });

  it('an unknown host key is refused with a clear error, unless the repository says insecureSkipTLSVerify', async () => {
    const empty = path.join(await tempDir(disposer), 'known_hosts');
    fs.writeFileSync(empty, '');
    const { svc } = await service(workerEnv({ SHUNT_SSH_KNOWN_HOSTS: empty }));
    const url = server.url(origin.dir);
    const err = await svc.syncMirror(url, { credentials: { sshPrivateKey: key.privateKey } }).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'DomainError', code: 'StepFailed' });
    expect((err as Error).message).toMatch(/SSH host key of .* is not known or does not match: add the host's key to the file named by SHUNT_SSH_KNOWN_HOSTS, or set insecureSkipTLSVerify/);
    // Without SHUNT_SSH_KNOWN_HOSTS no host is known either.
    const { svc: bare } = await service(workerEnv({ SHUNT_SSH_KNOWN_HOSTS: '' }));
    await expect(bare.syncMirror(url, { credentials: { sshPrivateKey: key.privateKey } })).rejects.toThrow(/SSH host key .* is not known/);
    const mirror = await svc.syncMirror(url, { credentials: { sshPrivateKey: key.privateKey }, insecureSkipTLSVerify: true });
    expect(fs.existsSync(path.join(mirror, 'HEAD'))).toBe(true);
  });

  it('a wrong host key (another server answering) is refused', async () => {
    const other = path.join(await tempDir(disposer), 'known_hosts');
    const impostor = await generateSSHKey(await tempDir(disposer), 'impostor-host');
    fs.writeFileSync(other, `[127.0.0.1]:${server.port} ${impostor.publicKey.split(' ').slice(0, 2).join(' ')}\n`);
    const { svc } = await service(workerEnv({ SHUNT_SSH_KNOWN_HOSTS: other }));
    await expect(svc.syncMirror(server.url(origin.dir), { credentials: { sshPrivateKey: key.privateKey } })).rejects.toThrow(/SSH host key .* does not match/);
  });

  it('ssh remotes go through the egress policy like any other', async () => {
    const { svc } = await service();
    const saved = process.env['SHUNT_EGRESS_ALLOW'];
    process.env['SHUNT_EGRESS_ALLOW'] = '';
    try {
      const err = await svc.syncMirror(server.url(origin.dir), { credentials: { sshPrivateKey: key.privateKey } }).catch((e: Error) => e);
      expect(err).toMatchObject({ name: 'DomainError', code: 'PermissionDenied' });
      expect((err as Error).message).toMatch(/^egress refused: 127\.0\.0\.1 port \d+ is a loopback address/);
    } finally {
      if (saved === undefined) delete process.env['SHUNT_EGRESS_ALLOW'];
      else process.env['SHUNT_EGRESS_ALLOW'] = saved;
    }
  });

  it('ssh is an allowed transport only for a command whose remote is an SSH URL, and only if the operator allows it', async () => {
    expect(gitHermeticEnv({ PATH: '/usr/bin' }, '/d/no-hooks')['GIT_ALLOW_PROTOCOL']).toBe('http:https');
    // The operator's list without ssh: an ssh remote is refused by git itself.
    const { svc } = await service(workerEnv({ GIT_ALLOW_PROTOCOL: 'file:https' }));
    await expect(svc.syncMirror(server.url(origin.dir), { credentials: { sshPrivateKey: key.privateKey } })).rejects.toThrow(/transport 'ssh' not allowed/);
  });
});
