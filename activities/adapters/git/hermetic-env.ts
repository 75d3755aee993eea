/**
 * The environment every git command starts from: hermetic, and with every way git has of
 * running a command from configuration switched off or pinned.
 *
 * A repository's config can make git run commands (`core.fsmonitor`, hooks, `core.sshCommand`,
 * `core.askPass`, diff/filter/merge drivers, `include.path`, …). Shunt's defence is in layers:
 * (1) git only ever runs in the worker's own mirrors and in checkouts verified to be worktrees
 * of them (own-checkout.ts), whose config Shunt alone writes, since no step may write a `.git`
 * path (Workspace.resolveForWrite); (2) no system or global config is read; (3) the settings
 * below are given at the command level, which wins over any repository config; (4) only the
 * allowed transport protocols are used (never `ext::`, which runs a command).
 */
import type { GitIdentity } from './types.js';

/** Inherited variables that would point git at another repository or identity. */
const STRIPPED_ENV = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_COMMON_DIR',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_ASKPASS',
  'SSH_ASKPASS',
  'GIT_CONFIG',
  'GIT_CONFIG_PARAMETERS',
  'GIT_CONFIG_SYSTEM',
  'GIT_EXEC_PATH',
  'GIT_EXTERNAL_DIFF',
  'GIT_PROXY_COMMAND',
  'GIT_PAGER',
];

/** Transports git may use unless the worker's environment names others in GIT_ALLOW_PROTOCOL. */
export const DEFAULT_GIT_PROTOCOLS = ['http', 'https', 'ssh'];
/** Transports never allowed: `ext` runs an arbitrary command, `fd` talks to inherited descriptors. */
const NEVER_PROTOCOLS = new Set(['ext', 'fd']);

/** The transports allowed: `GIT_ALLOW_PROTOCOL` of `source` (the operator's choice) without ext/fd, else the default. */
export function allowedProtocols(source: Record<string, string | undefined>): string[] {
  const given = source['GIT_ALLOW_PROTOCOL'];
  const list = given === undefined || given.trim() === '' ? DEFAULT_GIT_PROTOCOLS : given.split(':');
  return list.map((p) => p.trim().toLowerCase()).filter((p) => p !== '' && !NEVER_PROTOCOLS.has(p));
}

/**
 * Settings given to every git command at the command level (as `-c` would): they win over the
 * config of any repository git is pointed at.
 */
export function hardenedConfig(hooksDir: string): [string, string][] {
  return [
    ['core.fsmonitor', 'false'],
    ['core.hooksPath', hooksDir],
    ['core.attributesFile', '/dev/null'],
    ['core.excludesFile', '/dev/null'],
    ['credential.helper', ''],
    ['protocol.ext.allow', 'never'],
    ['protocol.fd.allow', 'never'],
    // Signing runs these programs: never ones a repository's config names.
    ['gpg.program', 'gpg'],
    ['gpg.openpgp.program', 'gpg'],
    ['gpg.ssh.program', 'ssh-keygen'],
    ['commit.gpgSign', 'false'],
    ['tag.gpgSign', 'false'],
    ['fetch.recurseSubmodules', 'false'],
    ['submodule.recurse', 'false'],
  ];
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * `source` without the variables that redirect git, plus settings that keep git from prompting,
 * opening editors, translating its messages (which the failure patterns match), reading system
 * or global config, or running commands its repositories' config names (see the file comment).
 * `hooksDir` is an empty directory, the only place git may look for hooks. The operator's
 * `GIT_CONFIG_COUNT` entries (from `source`) are kept, with the hardened ones after them.
 */
export function hermeticEnv(source: Record<string, string | undefined>, hooksDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) {
    if (v !== undefined && !STRIPPED_ENV.includes(k)) env[k] = v;
  }
  env['GIT_CONFIG_NOSYSTEM'] = '1';
  env['GIT_CONFIG_GLOBAL'] = '/dev/null';
  // ssh is added back per command, for a command whose remote is an SSH URL (git-command.ts).
  env['GIT_ALLOW_PROTOCOL'] = allowedProtocols(source)
    .filter((p) => p !== 'ssh')
    .join(':');
  // The environment wins over core.askPass and core.sshCommand: an empty GIT_ASKPASS means none.
  env['GIT_ASKPASS'] = '';
  if (env['GIT_SSH_COMMAND'] === undefined) env['GIT_SSH_COMMAND'] = env['GIT_SSH'] ? shellQuote(env['GIT_SSH']) : 'ssh';
  env['GIT_PAGER'] = 'cat';
  const base = Number.parseInt(env['GIT_CONFIG_COUNT'] ?? '0', 10) || 0;
  hardenedConfig(hooksDir).forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${base + i}`] = k;
    env[`GIT_CONFIG_VALUE_${base + i}`] = v;
  });
  env['GIT_CONFIG_COUNT'] = String(base + hardenedConfig(hooksDir).length);
  env['GIT_TERMINAL_PROMPT'] = '0';
  env['GIT_EDITOR'] = 'true';
  env['GIT_SEQUENCE_EDITOR'] = 'true';
  env['GIT_MERGE_AUTOEDIT'] = 'no';
  env['LC_ALL'] = 'C';
  return env;
}

/** Author and committer of commits git makes under this environment. */
export function identityEnv(id: GitIdentity): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: id.name,
    GIT_AUTHOR_EMAIL: id.email,
    GIT_COMMITTER_NAME: id.name,
    GIT_COMMITTER_EMAIL: id.email,
  };
}
