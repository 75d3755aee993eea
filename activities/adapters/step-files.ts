/**
 * File helpers for promotion steps: every path goes through the workspace (which refuses
 * absolute paths, `..` escapes and symlinks leaving it), and a missing or unreadable file is a
 * clear StepFailed naming the path as the user wrote it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Ignore } from 'ignore';
import { DomainError } from '../../core/errors.js';
import type { Workspace } from './workspace.js';

function readFailure(rel: string, err: unknown): DomainError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new DomainError('StepFailed', `file ${JSON.stringify(rel)} does not exist`);
  if (code === 'EISDIR') return new DomainError('StepFailed', `${JSON.stringify(rel)} is a directory, not a file`);
  return new DomainError('StepFailed', `cannot read ${JSON.stringify(rel)}: ${code ?? 'error'}`);
}

/** Reads a workspace file as UTF-8. @throws DomainError('StepFailed' | 'PathEscape') */
export async function readWorkspaceText(ws: Workspace, rel: string): Promise<string> {
  const file = ws.resolve(rel);
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    throw readFailure(rel, err);
  }
}

/** Whether a workspace path exists (without following a final symlink). */
export async function existsInWorkspace(ws: Workspace, rel: string): Promise<boolean> {
  try {
    await fs.promises.lstat(ws.resolve(rel));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Writes `text` to a workspace file, creating its directories; leaves the file untouched when it
 * already holds exactly that text (so a second run changes nothing, not even the mtime).
 * Returns whether it wrote.
 */
export async function writeWorkspaceText(ws: Workspace, rel: string, text: string, mode?: number): Promise<boolean> {
  const file = ws.resolve(rel);
  try {
    if ((await fs.promises.readFile(file, 'utf8')) === text) {
      if (mode !== undefined) await fs.promises.chmod(file, mode);
      return false;
    }
  } catch {
    // absent or unreadable: write it
  }
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  ws.resolve(rel); // the directories just made must not have let a symlink take us outside
  await fs.promises.writeFile(file, text, mode === undefined ? undefined : { mode });
  if (mode !== undefined) await fs.promises.chmod(file, mode);
  return true;
}

/**
 * Checks that a tree about to be read or copied has no symlink leading out of the workspace
 * (a link inside it pointing elsewhere inside is fine).
 * @throws DomainError('PathEscape')
 */
export async function assertTreeConfined(ws: Workspace, absDir: string): Promise<void> {
  const st = await fs.promises.lstat(absDir);
  if (st.isSymbolicLink()) {
    ws.resolve(ws.relative(absDir));
    return;
  }
  if (!st.isDirectory()) return;
  for (const entry of await fs.promises.readdir(absDir, { withFileTypes: true })) {
    const child = path.join(absDir, entry.name);
    if (entry.isSymbolicLink()) ws.resolve(ws.relative(child));
    else if (entry.isDirectory()) await assertTreeConfined(ws, child);
  }
}

/** Parses an octal permission string (`0600`, `644`, `0o755`). */
export function parseMode(text: string): number | undefined {
  const m = /^(?:0o|0)?([0-7]{3,4})$/.exec(text.trim());
  return m?.[1] === undefined ? undefined : parseInt(m[1], 8);
}

/** Whether `rel` (`/`-separated) or one of its parent directories is ignored by `ig`. */
export function ignoredPath(ig: Ignore, rel: string): boolean {
  const parts = rel.replace(/\/+$/, '').split('/');
  for (let i = 1; i < parts.length; i++) if (ig.ignores(`${parts.slice(0, i).join('/')}/`)) return true;
  return ig.ignores(rel);
}
