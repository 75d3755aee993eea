/**
 * git over SSH with a Secret's `sshPrivateKey`: the key is written to a 0600 file in a private
 * directory that exists only while the one git command runs (private-dir.ts), and git is given
 * a `GIT_SSH_COMMAND` that uses that key and nothing else: no ssh config files, no agent, no
 * other identities, no prompts, no forwarding, no proxy or control socket from anywhere.
 *
 * Host keys: checked strictly against the operator's known-hosts file (`SHUNT_SSH_KNOWN_HOSTS`;
 * without it no host is known, so every host key is refused). A repository whose
 * `insecureSkipTLSVerify` is true (Kargo's one insecure option on a repository) skips the check;
 * Kargo itself never checks SSH host keys, so that is what a Kargo setup migrated as-is gets.
 */
import * as path from 'node:path';
import { DomainError } from '../../../core/errors.js';
import { gitRemoteEndpoint } from '../egress/egress-connect.js';
import { withPrivateTempDir, writePrivateFile } from '../private-dir.js';
import { displayURL } from './redact.js';
import type { RemoteAccess } from './types.js';

/** The operator's known-hosts file for SSH remotes. */
export const KNOWN_HOSTS_ENV = 'SHUNT_SSH_KNOWN_HOSTS';

/** Whether git reaches `url` over SSH (`ssh://`, `git+ssh://`, `ssh+git://`, `[user@]host:path`). */
export function isSSHURL(url: string | undefined): boolean {
  if (url === undefined) return false;
  const scheme = gitRemoteEndpoint(url)?.scheme;
  return scheme === 'ssh' || scheme === 'git+ssh' || scheme === 'ssh+git';
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The `GIT_SSH_COMMAND` for one command: only `keyFile`, host keys as the file comment says. */
export function sshCommand(keyFile: string, knownHosts: string | undefined, insecure: boolean): string {
  const options: [string, string][] = [
    ['IdentitiesOnly', 'yes'],
    ['IdentityAgent', 'none'],
    ['BatchMode', 'yes'],
    ['PasswordAuthentication', 'no'],
    ['KbdInteractiveAuthentication', 'no'],
    ['ForwardAgent', 'no'],
    ['ClearAllForwardings', 'yes'],
    ['ControlMaster', 'no'],
    ['ControlPath', 'none'],
    ['ProxyCommand', 'none'],
    ['PermitLocalCommand', 'no'],
    ['UpdateHostKeys', 'no'],
    ['GlobalKnownHostsFile', '/dev/null'],
    ['UserKnownHostsFile', insecure ? '/dev/null' : (knownHosts ?? '/dev/null')],
    ['StrictHostKeyChecking', insecure ? 'no' : 'yes'],
  ];
  const parts = ['ssh', '-F', '/dev/null', '-i', shellQuote(keyFile)];
  for (const [k, v] of options) parts.push('-o', shellQuote(`${k}=${v}`));
  return parts.join(' ');
}

/** A key as ssh reads it: LF line ends and a final newline (a Secret's value often lacks it). */
function normalizeKey(key: string): string {
  const text = key.replace(/\r\n?/g, '\n').trim();
  return `${text}\n`;
}

/**
 * Runs `fn` with the environment git needs to reach `remoteURL` over SSH with the access's
 * `sshPrivateKey`; `fn` gets `{}` when the URL is not an SSH one or there is no key. The key
 * file is removed when `fn` settles.
 */
export async function withSSHAccess<T>(
  opts: { access: RemoteAccess | undefined; remoteURL: string | undefined; secretsDir: string; env: Record<string, string | undefined> },
  fn: (env: Record<string, string>) => Promise<T>,
): Promise<T> {
  const key = opts.access?.credentials?.sshPrivateKey;
  if (!key || !isSSHURL(opts.remoteURL)) return fn({});
  const knownHosts = opts.env[KNOWN_HOSTS_ENV]?.trim() || undefined;
  if (knownHosts !== undefined && !path.isAbsolute(knownHosts)) {
    throw new DomainError('StepFailed', `${KNOWN_HOSTS_ENV} must be an absolute path (it is ${JSON.stringify(knownHosts)})`);
  }
  return withPrivateTempDir(opts.secretsDir, async (dir) => {
    const keyFile = path.join(dir, 'key');
    await writePrivateFile(keyFile, normalizeKey(key));
    return fn({ GIT_SSH_COMMAND: sshCommand(keyFile, knownHosts, opts.access?.insecureSkipTLSVerify === true) });
  });
}

/** The clear error for an SSH host whose key is unknown or changed. */
export function hostKeyError(remoteURL: string, stderr: string): DomainError | undefined {
  if (!/host key verification failed|no .*host key is known|host key .*(has changed|mismatch)|remote host identification has changed/i.test(stderr)) return undefined;
  return new DomainError(
    'StepFailed',
    `the SSH host key of ${displayURL(remoteURL)} is not known or does not match: add the host's key to the file named by ${KNOWN_HOSTS_ENV}, or set insecureSkipTLSVerify on the repository to skip the check`,
  );
}
