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
import { assertTreeConfined, copyIntoWorkspace } from '../adapters/step-files.js';
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
  async run(ctx, config) {
    const src = ctx.workspace.resolve(config.inPath);
    const dst = ctx.workspace.resolveForWrite(config.outPath);
    const st = await fs.promises.lstat(src).catch(() => undefined);
    if (!st) throw new DomainError('StepFailed', `inPath ${JSON.stringify(config.inPath)} does not exist`);
    if (src === dst) throw new DomainError('StepFailed', 'inPath and outPath are the same');
    if (st.isDirectory() && (dst + path.sep).startsWith(src + path.sep)) {
      throw new DomainError('StepFailed', `outPath ${JSON.stringify(config.outPath)} lies inside inPath`);
    }
    await assertTreeConfined(ctx.workspace, src);
    const ig = ignore().add(config.ignore ?? '');
    await copyIntoWorkspace(ctx.workspace, src, config.outPath, (rel, isDir) => ig.ignores(isDir ? `${rel}/` : rel));
    return { status: 'Succeeded' };
  },
};
