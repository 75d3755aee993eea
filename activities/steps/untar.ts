/**
 * `untar`: extracts a tar file (gzipped or not, detected) into a workspace directory, replacing
 * what `outPath` held. Entries with absolute paths, `..` segments, or links pointing out of
 * `outPath` are refused before anything is written. `stripComponents` drops leading path parts;
 * `ignore` (gitignore syntax) leaves entries out.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore from 'ignore';
import { list } from 'tar';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { extractIntoWorkspace, ignoredPath } from '../adapters/step-files.js';
import { hasGitComponent } from '../adapters/workspace.js';
import type { StepDefinition } from './step.js';

export const UntarConfig = z.strictObject({
  inPath: z.string().min(1).describe('The tar file, relative to the workspace.'),
  outPath: z.string().min(1).describe('Directory to extract into, relative to the workspace.'),
  stripComponents: z.number().int().min(0).optional().describe('Leading path components to drop (default 0).'),
  ignore: z.string().optional().describe('Patterns (gitignore syntax, one per line) not to extract.'),
});
export type UntarConfig = z.infer<typeof UntarConfig>;

function stripped(p: string, n: number): string | undefined {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.length <= n) return undefined;
  return parts.slice(n).join('/');
}

export const untar: StepDefinition<UntarConfig> = {
  kind: 'untar',
  config: UntarConfig,
  async run(ctx, config) {
    const file = ctx.workspace.resolve(config.inPath);
    const dest = ctx.workspace.resolveForWrite(config.outPath);
    if (dest === ctx.workspace.root) {
      throw new DomainError('StepFailed', 'outPath must be a directory below the workspace root, which untar replaces');
    }
    if (!(await fs.promises.stat(file).catch(() => undefined))?.isFile()) {
      throw new DomainError('StepFailed', `inPath ${JSON.stringify(config.inPath)} is not a file`);
    }
    const strip = config.stripComponents ?? 0;
    const ig = ignore().add(config.ignore ?? '');
    const problems: string[] = [];
    try {
      await list({
        file,
        strict: true,
        onReadEntry: (entry) => {
          const raw = entry.path;
          if (path.posix.isAbsolute(raw) || raw.split('/').includes('..')) {
            problems.push(`entry ${JSON.stringify(raw)} escapes the destination`);
            return;
          }
          if (hasGitComponent(raw)) {
            problems.push(`entry ${JSON.stringify(raw)} is inside a .git directory (steps may not write git metadata)`);
            return;
          }
          if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
            const rel = stripped(raw, strip);
            const link = entry.linkpath ?? '';
            if (rel === undefined) return;
            const target =
              entry.type === 'SymbolicLink' ? path.posix.join(path.posix.dirname(rel), link) : stripped(link, strip) ?? '..';
            if (path.posix.isAbsolute(link) || target === '..' || target.startsWith('../')) {
              problems.push(`link ${JSON.stringify(raw)} -> ${JSON.stringify(link)} points out of the destination`);
            }
          }
        },
      });
    } catch (err) {
      throw new DomainError('StepFailed', `${JSON.stringify(config.inPath)} is not a readable tar file: ${(err as Error).message}`);
    }
    if (problems.length > 0) {
      throw new DomainError('PathEscape', `refusing to extract ${JSON.stringify(config.inPath)}: ${problems.join('; ')}`, problems);
    }
    await extractIntoWorkspace(ctx.workspace, file, config.outPath, {
      strip,
      keep: (p: string) => {
        const rel = stripped(p, strip);
        return rel === undefined || !ignoredPath(ig, p.endsWith('/') ? `${rel}/` : rel);
      },
    });
    return { status: 'Succeeded' };
  },
};
