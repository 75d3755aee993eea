import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ManifestFile } from './client.js';
import { CliError } from './errors.js';

const MANIFEST_EXTENSIONS = ['.yaml', '.yml'];

/**
 * Reads what `apply -f` names: a file as is (whatever its extension), a directory as every
 * *.yaml / *.yml file inside it, recursively, sorted by path. Each file is named by the path the
 * user gave (joined with its place in the directory), so errors point at something they typed.
 */
export async function readManifestFiles(paths: readonly string[], cwd: string): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    const info = await statOrFail(absolute, given);
    if (info.isDirectory()) {
      const entries = await manifestsIn(absolute);
      if (entries.length === 0) throw new CliError(`no .yaml or .yml files in directory ${given}`);
      for (const relative of entries) {
        files.push({ name: path.join(given, relative), content: await read(path.join(absolute, relative), given) });
      }
    } else {
      files.push({ name: given, content: await read(absolute, given) });
    }
  }
  return files;
}

async function manifestsIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  const found: string[] = [];
  for (const relative of entries) {
    if (!MANIFEST_EXTENSIONS.includes(path.extname(relative).toLowerCase())) continue;
    const info = await stat(path.join(dir, relative));
    if (info.isFile()) found.push(relative);
  }
  const key = (p: string): string => p.split(path.sep).join('/');
  return found.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

async function statOrFail(absolute: string, given: string): Promise<Awaited<ReturnType<typeof stat>>> {
  try {
    return await stat(absolute);
  } catch (err) {
    throw new CliError(`cannot read ${given}: ${reason(err)}`);
  }
}

async function read(absolute: string, given: string): Promise<string> {
  try {
    return await readFile(absolute, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${given}: ${reason(err)}`);
  }
}

function reason(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}
