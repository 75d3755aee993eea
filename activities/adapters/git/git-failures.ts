/** What a failed git command's output means, and the error it becomes. */
import { DomainError } from '../../../core/errors.js';
import { displayURL, redact } from './redact.js';
import { hostKeyError, isSSHURL } from './ssh-env.js';
import type { RemoteAccess } from './types.js';

export const AUTH_FAILURE =
  /authentication failed|could not read (username|password)|terminal prompts disabled|access denied|returned error: 40[13]|\b40[13]\b.*(unauthorized|forbidden)|permission denied \(publickey|invalid username or password/i;
export const UNREACHABLE =
  /could not resolve host|failed to connect|connection refused|connection timed out|timed out|unable to access|could not read from remote repository|does not appear to be a git repository|repository .*not found|returned error: 5\d\d|empty reply from server|ssl|tls|early eof|the remote end hung up/i;
export const PUSH_REJECTED = /\[rejected\]|\[remote rejected\].*(fetch first|non-fast-forward|stale info|cannot lock ref)|non-fast-forward|fetch first|stale info|failed to update ref|cannot lock ref/i;

/**
 * The redacted error for a failed command: DomainError('Unavailable') when a remote rejected
 * the credentials or could not be reached, a plain Error otherwise.
 */
export function commandError(
  args: string[],
  res: { stdout: string; stderr: string },
  access: RemoteAccess | undefined,
  remoteURL?: string,
): Error {
  const detail = redact((res.stderr.trim() || res.stdout.trim()).split('\n').slice(-5).join('\n'), access);
  const where = remoteURL ? ` (${displayURL(remoteURL)})` : '';
  // The subcommand, after any leading `-c name=value` options.
  const subcommand = args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '-c') ?? '';
  const text = `git ${subcommand}${where} failed: ${detail}`;
  const hostKey = remoteURL && isSSHURL(remoteURL) ? hostKeyError(remoteURL, res.stderr) : undefined;
  if (hostKey) return hostKey;
  if (remoteURL && AUTH_FAILURE.test(res.stderr)) {
    const why = access?.credentials
      ? 'the configured credentials were rejected'
      : 'no credentials are configured for this repository';
    return new DomainError('Unavailable', `authentication to ${displayURL(remoteURL)} failed (${why}): ${detail}`);
  }
  if (remoteURL && UNREACHABLE.test(res.stderr)) return new DomainError('Unavailable', text);
  return new Error(text);
}
