/**
 * `tar`: archives a file or directory of the workspace into a tar file (gzipped with `gzip`).
 * Entries are named relative to `inPath`'s parent, so the archive holds `inPath`'s base name at
 * its top. Modification times are fixed, so the same tree always gives the same archive (a
 * re-run changes nothing). `.git` and `ignore` patterns (gitignore syntax) are left out;
 * symlinks leading out of the workspace are refused.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore from 'ignore';
import { create } from 'tar';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { assertTreeConfined, writeWorkspaceFileFrom } from '../adapters/step-files.js';
import { hasGitComponent } from '../adapters/workspace.js';
import type { StepDefinition } from './step.js';

export const TarConfig = z.strictObject({
  inPath: z.string().min(1).describe('File or directory to archive, relative to the workspace.'),
  outPath: z.string().min(1).describe('The tar file to write, relative to the workspace.'),
  ignore: z.string().optional().describe('Patterns (gitignore syntax, one per line) to leave out.'),
  gzip: z.boolean().optional().describe('Compress with gzip (default false).'),
});
export type TarConfig = z.infer<typeof TarConfig>;

const FIXED_MTIME = new Date('2000-01-01T00:00:00Z');

export const tar: StepDefinition<TarConfig> = {
  kind: 'tar',
  config: TarConfig,
  async run(ctx, config) {
    const src = ctx.workspace.resolve(config.inPath);
    const out = ctx.workspace.resolveForWrite(config.outPath);
    if (!(await fs.promises.lstat(src).catch(() => undefined))) {
      throw new DomainError('StepFailed', `inPath ${JSON.stringify(config.inPath)} does not exist`);
    }
    if ((out + path.sep).startsWith(src + path.sep)) {
      throw new DomainError('StepFailed', `outPath ${JSON.stringify(config.outPath)} lies inside inPath`);
    }
    await assertTreeConfined(ctx.workspace, src);
    const ig = ignore().add(config.ignore ?? '');
    const base = path.basename(src);
    await writeWorkspaceFileFrom(ctx.workspace, config.outPath, (tmp) =>
      create(
        {
          file: tmp,
          cwd: path.dirname(src),
          gzip: config.gzip === true,
          portable: true,
          mtime: FIXED_MTIME,
          filter: (p: string) => {
            const rel = path.relative(base, p).split(path.sep).join('/');
            if (rel === '' || rel.startsWith('..')) return true;
            if (hasGitComponent(rel)) return false;
            const isDir = fs.lstatSync(path.join(path.dirname(src), p)).isDirectory();
            return !ig.ignores(isDir ? `${rel}/` : rel);
          },
        },
        [base],
      ),
    );
    return { status: 'Succeeded' };
  },
};
