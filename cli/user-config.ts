/**
 * The user's CLI config file: what `shunt login` stored per server. It holds tokens, so it is
 * written with mode 0600 in a directory of mode 0700, and replaced atomically (a rename).
 *
 * Where: `SHUNT_CLI_CONFIG`, else `$XDG_CONFIG_HOME/shunt/config.yaml`, else
 * `$HOME/.config/shunt/config.yaml`. With none of them set there is no file.
 *
 * ```yaml
 * servers:
 *   http://127.0.0.1:8080:
 *     signIn: { issuer: …, clientId: shunt-cli, resource: …, accessToken: …, refreshToken: …, expiresAt: 2026-… }
 * ```
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { CliError } from './errors.js';

export const StoredSignIn = z.object({
  issuer: z.string().url(),
  clientId: z.string().min(1),
  resource: z.string().optional(),
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  /** ISO time the access token expires; absent when the issuer did not say. */
  expiresAt: z.string().datetime().optional(),
});
export type StoredSignIn = z.infer<typeof StoredSignIn>;

const UserConfig = z.object({
  servers: z.record(z.string(), z.object({ signIn: StoredSignIn.optional() }).passthrough()).default({}),
}).passthrough();
export type UserConfig = z.infer<typeof UserConfig>;

/** The config file's path from the environment, or undefined when nothing names a place for it. */
export function userConfigPath(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const set = (name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const explicit = set('SHUNT_CLI_CONFIG');
  if (explicit !== undefined) return explicit;
  const xdg = set('XDG_CONFIG_HOME');
  if (xdg !== undefined) return join(xdg, 'shunt', 'config.yaml');
  const home = set('HOME');
  return home === undefined ? undefined : join(home, '.config', 'shunt', 'config.yaml');
}

export async function readUserConfig(path: string): Promise<UserConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { servers: {} };
    throw new CliError(`cannot read the CLI config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let raw: unknown;
  try {
    raw = YAML.parse(text) ?? {};
  } catch (err) {
    throw new CliError(`the CLI config ${path} is not valid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const parsed = UserConfig.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new CliError(`the CLI config ${path} is invalid: ${first ? `${first.path.join('.')}: ${first.message}` : 'unreadable'} (fix it, or delete it and run shunt login again)`);
  }
  return parsed.data;
}

/** Writes the file (0600) in its directory (created 0700), replacing the old one in one step. */
export async function writeUserConfig(path: string, config: UserConfig): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, YAML.stringify(config), { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

/** Reads, changes and writes the file; a change that answers false leaves it as it was. */
export async function updateUserConfig(path: string, change: (config: UserConfig) => boolean | void): Promise<boolean> {
  const config = await readUserConfig(path);
  if (change(config) === false) return false;
  await writeUserConfig(path, config);
  return true;
}
