/** The environment every git command starts from. */
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
];

/**
 * `source` without the variables that redirect git, plus settings that keep git from prompting,
 * opening editors or translating its messages (which the failure patterns match).
 */
export function hermeticEnv(source: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) {
    if (v !== undefined && !STRIPPED_ENV.includes(k)) env[k] = v;
  }
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
