/**
 * Signed commits: the `signingKey` of git-clone's (or git-commit's) `author`, an armored GPG
 * private key (Kargo's kind) or an OpenSSH private key (git's `gpg.format=ssh`), told apart by
 * their armor. Neither may have a passphrase (nothing could type it).
 *
 * The key is kept for the checkout in its private git dir (`<gitdir>/shunt-signing-key`, 0600,
 * inside the worker's 0700 data directory, never in the workspace a step can read) and removed
 * when the checkout is released. Each signing command gets a private directory of its own
 * (private-dir.ts), removed afterwards: for GPG a fresh GNUPGHOME the key is imported into (its
 * agent stopped before the directory goes), for SSH a 0600 copy of the key.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DomainError } from '../../../core/errors.js';
import { writePrivateFile } from '../private-dir.js';
import { spawnHelper } from '../spawn-helper.js';
import type { GitCommand } from './git-command.js';
import { worktreeGitDir } from './worktree-config.js';

const KEY_FILE = 'shunt-signing-key';

export type SigningKind = 'gpg' | 'ssh';

/** Which kind of key `key` is. @throws DomainError('StepFailed') for anything else. */
export function signingKind(key: string): SigningKind {
  if (/-----BEGIN PGP PRIVATE KEY BLOCK-----/.test(key)) return 'gpg';
  if (/-----BEGIN (OPENSSH|RSA|EC|DSA) PRIVATE KEY-----/.test(key)) return 'ssh';
  throw new DomainError(
    'StepFailed',
    'signingKey is neither an armored GPG private key (-----BEGIN PGP PRIVATE KEY BLOCK-----) nor an OpenSSH private key',
  );
}

/** Keeps `key` for the checkout at `dir` (undefined: the checkout signs nothing). */
export async function recordSigningKey(dir: string, key: string | undefined): Promise<void> {
  const file = path.join(await worktreeGitDir(dir), KEY_FILE);
  await fs.promises.rm(file, { force: true });
  if (key === undefined || key.trim() === '') return;
  signingKind(key);
  await writePrivateFile(file, `${key.replace(/\r\n?/g, '\n').trim()}\n`);
}

/** Removes the checkout's signing key, if any (on release). */
export async function forgetSigningKey(dir: string): Promise<void> {
  try {
    await fs.promises.rm(path.join(await worktreeGitDir(dir), KEY_FILE), { force: true });
  } catch {
    /* no .git file: nothing kept */
  }
}

/** Whether the checkout at `dir` signs its commits (a signingKey was recorded for it). */
export async function hasSigningKey(dir: string): Promise<boolean> {
  return (await readSigningKey(dir)) !== undefined;
}

async function readSigningKey(dir: string): Promise<string | undefined> {
  try {
    return await fs.promises.readFile(path.join(await worktreeGitDir(dir), KEY_FILE), 'utf8');
  } catch {
    return undefined;
  }
}

/** What a signing git command adds: `-c` options before the subcommand, the flag after it, its environment. */
export interface Signing {
  config: string[];
  flag: string;
  env: Record<string, string>;
}

/** Runs gpg (through the spawn helper) in `home`; rejects with its stderr on a non-zero exit. */
async function gpg(home: string, args: string[], input?: string): Promise<string> {
  const res = await spawnHelper.run({
    file: 'gpg',
    args: ['--batch', '--no-tty', '--homedir', home, ...args],
    cwd: home,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GNUPGHOME: home, LC_ALL: 'C' },
    input,
  });
  if (res.code !== 0) throw Object.assign(new Error(`gpg exited ${res.code ?? res.signal}`), { stderr: res.stderr.toString('utf8') });
  return res.stdout.toString('utf8');
}

/**
 * Runs `fn` with the signing settings of the checkout at `dir` (undefined when it signs nothing);
 * everything the signing needed on disk is gone when `fn` settles.
 *
 * @throws DomainError('StepFailed') when the key cannot be used (e.g. GPG refuses to import it).
 */
export async function withSigning<T>(git: GitCommand, dir: string, fn: (signing: Signing | undefined) => Promise<T>): Promise<T> {
  const key = await readSigningKey(dir);
  if (key === undefined) return fn(undefined);
  const kind = signingKind(key);
  return git.withPrivateDir(async (tmp) => {
    if (kind === 'ssh') {
      const keyFile = path.join(tmp, 'signing-key');
      await writePrivateFile(keyFile, key);
      return fn({ config: ['-c', 'gpg.format=ssh', '-c', `user.signingKey=${keyFile}`], flag: `--gpg-sign=${keyFile}`, env: {} });
    }
    try {
      try {
        await gpg(tmp, ['--import'], key);
      } catch (err) {
        throw new DomainError('StepFailed', `the GPG signingKey could not be imported: ${lastLine((err as { stderr?: string }).stderr)}`);
      }
      const listed = await gpg(tmp, ['--with-colons', '--list-secret-keys']);
      const fpr = /^fpr:(?:[^:]*:){8}([0-9A-F]{40,64}):/m.exec(listed)?.[1];
      if (!fpr) throw new DomainError('StepFailed', 'the GPG signingKey holds no secret key');
      return await fn({ config: ['-c', 'gpg.format=openpgp'], flag: `--gpg-sign=${fpr}`, env: { GNUPGHOME: tmp } });
    } finally {
      // The agent gpg started for this directory would outlive it.
      await spawnHelper.run({ file: 'gpgconf', args: ['--homedir', tmp, '--kill', 'all'], cwd: tmp, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GNUPGHOME: tmp } }).catch(() => undefined);
    }
  });
}

function lastLine(text: string | undefined): string {
  const lines = (text ?? '').trim().split('\n').filter((l) => !/PRIVATE KEY|^[A-Za-z0-9+/=]{20,}$/.test(l));
  return lines[lines.length - 1] ?? 'unknown error';
}
