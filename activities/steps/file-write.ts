/**
 * `file-write`: writes text to a workspace file, creating its directories. An existing file
 * with other contents is replaced only with `overwrite: true`; the same contents is a no-op.
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { existsInWorkspace, parseMode, readWorkspaceText, writeWorkspaceText } from '../adapters/step-files.js';
import type { StepDefinition } from './step.js';

export const FileWriteConfig = z.strictObject({
  path: z.string().min(1).describe('The file, relative to the workspace.'),
  contents: z.string().describe('What to write.'),
  permissions: z
    .string()
    .regex(/^(0o|0)?[0-7]{3,4}$/, { error: 'expected an octal mode such as 0600 or 0644' })
    .optional()
    .describe('File mode, octal (default 0600).'),
  overwrite: z.boolean().optional().describe('Replace an existing file with other contents (default false).'),
});
export type FileWriteConfig = z.infer<typeof FileWriteConfig>;

export const fileWrite: StepDefinition<FileWriteConfig> = {
  kind: 'file-write',
  config: FileWriteConfig,
  async run(ctx, config) {
    const mode = parseMode(config.permissions ?? '0600') as number;
    ctx.workspace.resolveForWrite(config.path);
    if (!config.overwrite && (await existsInWorkspace(ctx.workspace, config.path))) {
      const current = await readWorkspaceText(ctx.workspace, config.path);
      if (current !== config.contents) {
        throw new DomainError('StepFailed', `file ${JSON.stringify(config.path)} already exists; set overwrite: true to replace it`);
      }
    }
    await writeWorkspaceText(ctx.workspace, config.path, config.contents, mode);
    return { status: 'Succeeded' };
  },
};
