/**
 * Per-command remote settings, passed as `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`
 * so that credentials never go into URLs, argv or config files.
 */
import { DomainError } from '../../../core/errors.js';
import { basicHeaderValue } from './basic-auth.js';
import { displayURL } from './redact.js';
import type { RemoteAccess } from './types.js';

export interface AuthEnvOptions {
  access?: RemoteAccess | undefined;
  /** The URL the command talks to: credentials are sent only to http(s) remotes. */
  remoteURL?: string | undefined;
  /** The command's base environment; its own `GIT_CONFIG_COUNT` entries are kept. */
  baseEnv: Record<string, string>;
  /** Send credentials over plain `http://` to non-loopback hosts. */
  allowCredentialsOverHTTP: boolean;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/**
 * `http.sslVerify=false` when asked for, and credentials as an `http.extraHeader` (with every
 * credential helper switched off); `{}` when there is nothing to set.
 *
 * @throws DomainError('StepFailed') for credentials over plain http to a non-loopback host
 *   unless allowCredentialsOverHTTP is on.
 */
export function authEnv(opts: AuthEnvOptions): Record<string, string> {
  const entries: [string, string][] = [];
  const access = opts.access;
  if (access?.insecureSkipTLSVerify) entries.push(['http.sslVerify', 'false']);
  const creds = access?.credentials;
  if (creds && (creds.password || creds.username)) {
    const url = opts.remoteURL ?? '';
    const m = /^(https?):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^/:]+)/i.exec(url);
    if (m) {
      if (m[1]?.toLowerCase() === 'http' && !opts.allowCredentialsOverHTTP && !isLoopback(m[2] ?? '')) {
        throw new DomainError(
          'StepFailed',
          `refusing to send credentials for ${displayURL(url)} over plain http (allowCredentialsOverHTTP is off)`,
        );
      }
      // Empty helper list: nothing may store or supply other credentials for this command.
      entries.push(['credential.helper', '']);
      entries.push(['http.extraHeader', `Authorization: Basic ${basicHeaderValue(creds)}`]);
    }
  }
  if (entries.length === 0) return {};
  const env: Record<string, string> = {};
  const base = Number.parseInt(opts.baseEnv['GIT_CONFIG_COUNT'] ?? '0', 10) || 0;
  entries.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${base + i}`] = k;
    env[`GIT_CONFIG_VALUE_${base + i}`] = v;
  });
  env['GIT_CONFIG_COUNT'] = String(base + entries.length);
  return env;
}
