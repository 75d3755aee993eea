/**
 * `toml-update`: sets values at dotted key paths in a TOML file, editing the lines in place so
 * comments, key order and layout are kept (see adapters/toml-edit.ts).
 *
 * Output: `commitMessage` (`Updated <path>` + one `- key: value` line per update).
 */
import { z } from 'zod';
import { readWorkspaceText, writeWorkspaceText } from '../adapters/step-files.js';
import { updateToml } from '../adapters/toml-edit.js';
import { parseKeyPath } from '../adapters/yaml-edit.js';
import type { StepDefinition } from './step.js';
import { yamlUpdateCommitMessage } from './yaml-update.js';

export const TomlUpdateConfig = z.strictObject({
  path: z.string().min(1).describe('The TOML file, relative to the workspace.'),
  updates: z
    .array(
      z.strictObject({
        key: z.string().min(1).describe('Dotted path of the value; escape literal dots as `\\.`.'),
        value: z.union([z.string(), z.number(), z.boolean()]).describe('The new value (a scalar).'),
      }),
    )
    .min(1)
    .describe('Values to set, in order.'),
});
export type TomlUpdateConfig = z.infer<typeof TomlUpdateConfig>;

export const tomlUpdate: StepDefinition<TomlUpdateConfig> = {
  kind: 'toml-update',
  config: TomlUpdateConfig,
  defaults: { errorThreshold: 1 },
  async run(ctx, config) {
    const text = await readWorkspaceText(ctx.workspace, config.path);
    const out = updateToml(
      text,
      config.updates.map((u) => ({ segments: parseKeyPath(u.key), value: u.value })),
      JSON.stringify(config.path),
    );
    if (out !== text) await writeWorkspaceText(ctx.workspace, config.path, out);
    return { status: 'Succeeded', output: { commitMessage: yamlUpdateCommitMessage(config.path, config.updates) } };
  },
};
