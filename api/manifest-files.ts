import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ManifestFile } from './backend.js';

/** A YAML file, or every *.yaml / *.yml under a folder (sorted), as manifest files. */
export async function readManifestFiles(path: string): Promise<ManifestFile[]> {
  const info = await stat(path);
  if (info.isFile()) return [{ name: path, content: await readFile(path, 'utf8') }];
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (/\.ya?ml$/.test(entry.name)) found.push(full);
    }
  };
  await walk(path);
  found.sort();
  return Promise.all(found.map(async (f) => ({ name: relative(process.cwd(), f) || f, content: await readFile(f, 'utf8') })));
}
