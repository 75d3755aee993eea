/**
 * `toml-update`: sets existing scalar values at Kargo key paths (`a.b.0.c`, `a\\.b`, `:2` for a
 * numeric-looking key) in a TOML file, replacing only their text (see adapters/toml-edit.ts).
 * A missing key, or one naming a table or array, is refused, as in Kargo.
 *
 * Output: `commitMessage` (`Updated <path>` + one `- key: value` line per update, each value
 * written as in the file: `'1.0.1'`, `100`, `true`).
 */
import { z } from 'zod';
import { readWorkspaceText, writeWorkspaceText } from '../adapters/step-files.js';
import { splitKargoKey } from '../adapters/data-path.js';
import { tomlValueText, updateToml } from '../adapters/toml-edit.js';
import type { StepDefinition } from './step.js';

export const TomlUpdateConfig = z.strictObject({
  path: z.string().min(1).describe('The TOML file, relative to the workspace.'),
  updates: z
    .array(
      z.strictObject({
        key: z.string().min(1).describe('Dotted path of an existing scalar; escape literal dots as `\\.`, `:2` for a key named 2.'),
        value: z.union([z.string(), z.number(), z.boolean()]).describe('The new value (a scalar).'),
      }),
    )
    .min(1)
    .describe('Values to set, in order.'),
});
export type TomlUpdateConfig = z.infer<typeof TomlUpdateConfig>;

/** Kargo's message: each value as go-toml writes it (`- package.version: '1.0.1'`). */
export function tomlUpdateCommitMessage(path: string, updates: TomlUpdateConfig['updates']): string {
  return `Updated ${path}\n\n${updates.map((u) => `- ${u.key}: ${tomlValueText(u.value)}`).join('\n')}`;
}

export const tomlUpdate: StepDefinition<TomlUpdateConfig> = {
  kind: 'toml-update',
  config: TomlUpdateConfig,
  async run(ctx, config) {
    const text = await readWorkspaceText(ctx.workspace, config.path);
    const what = JSON.stringify(config.path);
    const out = updateToml(
      text,
      config.updates.map((u) => ({ key: u.key, segments: splitKargoKey(u.key, what), value: u.value })),
      what,
    );
    if (out !== text) await writeWorkspaceText(ctx.workspace, config.path, out);
    return { status: 'Succeeded', output: { commitMessage: tomlUpdateCommitMessage(config.path, config.updates) } };
  },
};
