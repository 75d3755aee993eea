/**
 * Shunt's settings in a worktree's own config file (`<gitdir>/config.worktree`), written in one
 * file write instead of one `git config` process per key: on a large checkout every process
 * counts, and a pooled checkout rewrites all of them on each reuse.
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

/** The file's text without the sections Shunt owns. */
export function withoutOwnedSections(text: string): string {
  const kept: string[] = [];
  let skipping = false;
  for (const line of text.split('\n')) {
    const header = /^\s*(\[[^\]]*\])/.exec(line)?.[1];
    if (header !== undefined) skipping = OWNED.has(header.replace(/\s+/g, '').toLowerCase());
    if (!skipping) kept.push(line);
  }
  return kept.join('\n').replace(/\n+$/, '');
}

export function renderSettings(settings: WorktreeSettings): string {
  const lines = ['[user]', `\tname = ${quoteConfigValue(settings.user.name)}`, `\temail = ${quoteConfigValue(settings.user.email)}`, '[shunt]'];
  for (const [k, v] of Object.entries(settings.shunt)) lines.push(`\t${k} = ${quoteConfigValue(v)}`);
  if (settings.insecureSkipTLSVerify) lines.push('[http]', '\tsslVerify = false');
  return lines.join('\n');
}

/** Replaces Shunt's sections of the worktree's config with `settings`. */
export async function writeWorktreeSettings(dir: string, settings: WorktreeSettings): Promise<void> {
  const file = path.join(await worktreeGitDir(dir), 'config.worktree');
  let text = '';
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const rest = withoutOwnedSections(text);
  const next = `${rest ? `${rest}\n` : ''}${renderSettings(settings)}\n`;
  // Write-then-rename: a crash leaves the old file or the new one, never half of one.
  const tmp = `${file}.shunt-tmp`;
  await fs.promises.writeFile(tmp, next);
  await fs.promises.rename(tmp, file);
}
