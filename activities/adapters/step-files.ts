/**
 * File helpers for promotion steps: every path goes through the workspace (which refuses
 * absolute paths, `..` escapes and symlinks leaving it), and a missing or unreadable file is a
 * clear StepFailed naming the path as the user wrote it.
 *
 * Steps change files only through the writers here (a test checks that no step file calls a
 * file-system write itself): each resolves its target with {@link Workspace.resolveForWrite},
 * so nothing a step writes, copies, downloads or extracts lands in a `.git` directory.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Ignore } from 'ignore';
import { extract } from 'tar';
import { DomainError } from '../../core/errors.js';
import { hasGitComponent, type Workspace } from './workspace.js';

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
  const file = ws.resolveForWrite(rel);
  try {
    if ((await fs.promises.readFile(file, 'utf8')) === text) {
      if (mode !== undefined) await fs.promises.chmod(file, mode);
      return false;
    }
  } catch {
    // absent or unreadable: write it
  }
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  ws.resolveForWrite(rel); // the directories just made must not have let a symlink take us outside
  await fs.promises.writeFile(file, text, mode === undefined ? undefined : { mode });
  if (mode !== undefined) await fs.promises.chmod(file, mode);
  return true;
}

/**
 * Writes `data` to a workspace file through a temporary file and a rename (a reader never sees
 * half of it); leaves the file alone when it already holds exactly that. Returns whether it wrote.
 */
export async function writeWorkspaceBytes(ws: Workspace, rel: string, data: Uint8Array): Promise<boolean> {
  const file = ws.resolveForWrite(rel);
  const current = await fs.promises.readFile(file).catch(() => undefined);
  if (current !== undefined && current.equals(data)) return false;
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  ws.resolveForWrite(rel);
  const tmp = `${file}.${process.pid}.shunt-tmp`;
  await fs.promises.writeFile(tmp, data);
  await fs.promises.rename(tmp, file);
  return true;
}

/** Makes a workspace directory (and its parents); returns its absolute path. */
export async function makeWorkspaceDir(ws: Workspace, rel: string): Promise<string> {
  const dir = ws.resolveForWrite(rel);
  await fs.promises.mkdir(dir, { recursive: true });
  ws.resolveForWrite(rel);
  return dir;
}

/** Deletes a workspace file or tree (never the root); returns whether it existed. */
export async function removeFromWorkspace(ws: Workspace, rel: string): Promise<boolean> {
  const abs = ws.resolveForWrite(rel);
  if (abs === ws.root) throw new DomainError('StepFailed', `refusing to delete the workspace root (${JSON.stringify(rel)})`);
  const exists = await fs.promises.lstat(abs).then(
    () => true,
    () => false,
  );
  if (exists) await fs.promises.rm(abs, { recursive: true, force: true });
  return exists;
}

/**
 * Copies the file or tree `srcAbs` (inside the workspace, or a temporary directory of the step)
 * to `dstRel`. Entries named `.git` (any case) are never copied, nor those `skip` names (by their
 * `/`-separated path relative to `srcAbs`). Symlinks are copied as links.
 */
export async function copyIntoWorkspace(
  ws: Workspace,
  srcAbs: string,
  dstRel: string,
  skip: (rel: string, isDir: boolean) => boolean = () => false,
): Promise<void> {
  const dst = ws.resolveForWrite(dstRel);
  await fs.promises.mkdir(path.dirname(dst), { recursive: true });
  ws.resolveForWrite(dstRel);
  await fs.promises.cp(srcAbs, dst, {
    recursive: true,
    force: true,
    verbatimSymlinks: true,
    filter: (from) => {
      const rel = path.relative(srcAbs, from).split(path.sep).join('/');
      if (rel === '') return true;
      return !hasGitComponent(rel) && !skip(rel, fs.lstatSync(from).isDirectory());
    },
  });
}

/**
 * Replaces the workspace directory `destRel` with the contents of the tar file `fileAbs`. The
 * caller has checked the entries (see untar.ts); an entry with a `.git` component is refused here
 * as well, before anything is written.
 */
export async function extractIntoWorkspace(
  ws: Workspace,
  fileAbs: string,
  destRel: string,
  opts: { strip: number; keep: (entryPath: string) => boolean },
): Promise<void> {
  const dest = ws.resolveForWrite(destRel);
  if (dest === ws.root) throw new DomainError('StepFailed', 'refusing to extract over the workspace root');
  await fs.promises.rm(dest, { recursive: true, force: true });
  await fs.promises.mkdir(dest, { recursive: true });
  ws.resolveForWrite(destRel);
  await extract({
    strict: true,
    file: fileAbs,
    cwd: dest,
    strip: opts.strip,
    filter: (p: string) => !hasGitComponent(p) && opts.keep(p),
  });
}

/** Runs `fn` with a fresh private directory outside the workspace, deleted afterwards. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/** Writes the workspace file `outRel` from what `make` writes to the temporary path it is given (unchanged content: untouched). */
export async function writeWorkspaceFileFrom(ws: Workspace, outRel: string, make: (tmpAbs: string) => Promise<void>): Promise<void> {
  const out = ws.resolveForWrite(outRel);
  await fs.promises.mkdir(path.dirname(out), { recursive: true });
  ws.resolveForWrite(outRel);
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    await make(tmp);
    const next = await fs.promises.readFile(tmp);
    const current = await fs.promises.readFile(out).catch(() => undefined);
    if (current !== undefined && current.equals(next)) await fs.promises.rm(tmp);
    else await fs.promises.rename(tmp, out);
  } finally {
    await fs.promises.rm(tmp, { force: true });
  }
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
