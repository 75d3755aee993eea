/**
 * Shunt's settings in a worktree's own config file (`<gitdir>/config.worktree`), written in one
 * file write instead of one `git config` process per key, and its `[shunt]` marks read and set
 * there too: on a large checkout every process counts, a pooled checkout rewrites all of them on
 * each reuse, and the pool reads and sets its marks under the mirror's lock.
 *
 * Shunt owns the `[user]`, `[shunt]` and `[http]` sections of that file (git's sparse-checkout
 * writes `[core]` there; other sections are kept as they are).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface WorktreeSettings {
  user: { name: string; email: string };
  shunt: Record<string, string>;
  /** Recorded as `http.sslVerify = false`. */
  insecureSkipTLSVerify?: boolean;
}

const OWNED = new Set(['[user]', '[shunt]', '[http]']);

/** The worktree's private git dir, from its `.git` file. */
export async function worktreeGitDir(dir: string): Promise<string> {
  const text = await fs.promises.readFile(path.join(dir, '.git'), 'utf8');
  const m = /^gitdir:\s*(.+)$/m.exec(text);
  if (!m?.[1]) throw new Error(`${path.join(dir, '.git')} does not name a git dir`);
  return path.resolve(dir, m[1].trim());
}

/** A value as git's config syntax spells it: quoted, with `\`, `"`, newline and tab escaped. */
export function quoteConfigValue(value: string): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  return `"${escaped}"`;
}

/** The file's text without the sections Shunt owns (or only those named, e.g. `['[shunt]']`). */
export function withoutOwnedSections(text: string, sections: ReadonlySet<string> = OWNED): string {
  const kept: string[] = [];
  let skipping = false;
  for (const line of text.split('\n')) {
    const header = /^\s*(\[[^\]]*\])/.exec(line)?.[1];
    if (header !== undefined) skipping = sections.has(header.replace(/\s+/g, '').toLowerCase());
    if (!skipping) kept.push(line);
  }
  return kept.join('\n').replace(/\n+$/, '');
}

function shuntSection(keys: Record<string, string>): string[] {
  return ['[shunt]', ...Object.entries(keys).map(([k, v]) => `\t${k} = ${quoteConfigValue(v)}`)];
}

export function renderSettings(settings: WorktreeSettings): string {
  const lines = ['[user]', `\tname = ${quoteConfigValue(settings.user.name)}`, `\temail = ${quoteConfigValue(settings.user.email)}`, ...shuntSection(settings.shunt)];
  if (settings.insecureSkipTLSVerify) lines.push('[http]', '\tsslVerify = false');
  return lines.join('\n');
}

/** Replaces Shunt's sections of the worktree's config with `settings`. */
export async function writeWorktreeSettings(dir: string, settings: WorktreeSettings): Promise<void> {
  const { file, text } = await readConfigWorktree(dir);
  await replaceConfigWorktree(file, withoutOwnedSections(text), renderSettings(settings));
}

/** `<gitdir>/config.worktree` and its text (empty when there is none yet). */
async function readConfigWorktree(dir: string): Promise<{ file: string; text: string }> {
  const file = path.join(await worktreeGitDir(dir), 'config.worktree');
  try {
    return { file, text: await fs.promises.readFile(file, 'utf8') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return { file, text: '' };
  }
}

/** Writes `rest` followed by `sections`, then renames: a crash leaves the old file or the new one, never half of one. */
async function replaceConfigWorktree(file: string, rest: string, sections: string): Promise<void> {
  const tmp = `${file}.shunt-tmp`;
  await fs.promises.writeFile(tmp, `${rest ? `${rest}\n` : ''}${sections}\n`);
  await fs.promises.rename(tmp, file);
}

const PLAIN_VALUE = /^[A-Za-z0-9._:/@+-]*$/;
const QUOTED_VALUE = /^"((?:[^"\\]|\\[\\"nt])*)"$/;
const SHUNT_KEY = /^([A-Za-z][A-Za-z0-9-]*)\s*=\s*(.*)$/;

/**
 * The `[shunt]` keys of a config file's text (names in lower case, as git compares them; the
 * last value of a key wins, as `git config --get` answers). Undefined when the file spells
 * anything in a way this reader does not take (a value with a comment after it, a continued
 * line, a section header with a key on its line): then git is asked instead.
 */
export function parseShuntSection(text: string): Record<string, string> | undefined {
  const keys: Record<string, string> = {};
  let inShunt = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]*)\]$/.exec(line);
    if (header) {
      inShunt = (header[1] ?? '').trim().toLowerCase() === 'shunt';
      continue;
    }
    if (line.startsWith('[')) return undefined;
    if (!inShunt) continue;
    const m = SHUNT_KEY.exec(line);
    if (!m) return undefined;
    const spelled = m[2] ?? '';
    const quoted = QUOTED_VALUE.exec(spelled)?.[1];
    let value: string;
    if (PLAIN_VALUE.test(spelled)) value = spelled;
    else if (quoted !== undefined) value = quoted.replace(/\\([\\"nt])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
    else return undefined;
    keys[(m[1] ?? '').toLowerCase()] = value;
  }
  return keys;
}

/** `[shunt]`'s keys of the worktree at `dir`, or undefined when its config cannot be read or taken. */
async function shuntKeysOf(dir: string): Promise<{ file: string; text: string; keys: Record<string, string> } | undefined> {
  const read = await readConfigWorktree(dir).catch(() => undefined);
  const keys = read === undefined ? undefined : parseShuntSection(read.text);
  return read === undefined || keys === undefined ? undefined : { ...read, keys };
}

/**
 * The `[shunt]` settings of the worktree at `dir` (names in lower case), read from its config
 * file without starting git (the worktree pool reads them under the mirror's lock). Undefined
 * when the file cannot be read or taken (see parseShuntSection): the caller asks git then.
 */
export async function readShuntSettings(dir: string): Promise<Record<string, string> | undefined> {
  return (await shuntKeysOf(dir))?.keys;
}

/**
 * Sets one `[shunt]` key of the worktree at `dir` in its config file, the rest of the file kept.
 * False when the file cannot be read or taken: the caller runs `git config` then.
 */
export async function writeShuntSetting(dir: string, key: string, value: string): Promise<boolean> {
  const read = await shuntKeysOf(dir);
  if (read === undefined) return false;
  const section = shuntSection({ ...read.keys, [key.toLowerCase()]: value }).join('\n');
  await replaceConfigWorktree(read.file, withoutOwnedSections(read.text, new Set(['[shunt]'])), section);
  return true;
}
