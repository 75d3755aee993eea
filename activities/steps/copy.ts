/**
 * `copy`: copies a file or a directory tree inside the workspace. `ignore` takes gitignore
 * lines matched relative to `inPath`; `.git` is never copied. Symlinks that lead out of the
 * workspace are refused; others are copied as links.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore from 'ignore';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { assertTreeConfined } from '../adapters/step-files.js';
import type { StepDefinition } from './step.js';

export const CopyConfig = z.strictObject({
  inPath: z.string().min(1).describe('File or directory to copy, relative to the workspace.'),
  outPath: z.string().min(1).describe('Destination, relative to the workspace.'),
  ignore: z.string().optional().describe('Patterns (gitignore syntax, one per line) not to copy.'),
});
export type CopyConfig = z.infer<typeof CopyConfig>;

export const copy: StepDefinition<CopyConfig> = {
  kind: 'copy',
  config: CopyConfig,
  defaults: { errorThreshold: 1 },
  async run(ctx, config) {
    const src = ctx.workspace.resolve(config.inPath);
    const dst = ctx.workspace.resolve(config.outPath);
    const st = await fs.promises.lstat(src).catch(() => undefined);
    if (!st) throw new DomainError('StepFailed', `inPath ${JSON.stringify(config.inPath)} does not exist`);
    if (src === dst) throw new DomainError('StepFailed', 'inPath and outPath are the same');
    if (st.isDirectory() && (dst + path.sep).startsWith(src + path.sep)) {
      throw new DomainError('StepFailed', `outPath ${JSON.stringify(config.outPath)} lies inside inPath`);
    }
    await assertTreeConfined(ctx.workspace, src);
    const ig = ignore().add('.git').add(config.ignore ?? '');
    await fs.promises.mkdir(path.dirname(dst), { recursive: true });
    ctx.workspace.resolve(config.outPath);
    await fs.promises.cp(src, dst, {
      recursive: true,
      force: true,
      verbatimSymlinks: true,
      filter: (from) => {
        const rel = path.relative(src, from).split(path.sep).join('/');
        if (rel === '') return true;
        const isDir = fs.lstatSync(from).isDirectory();
        return !ig.ignores(isDir ? `${rel}/` : rel);
      },
    });
    return { status: 'Succeeded' };
  },
};
