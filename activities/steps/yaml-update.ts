/**
 * `yaml-update`: sets values at dotted key paths in a YAML file (`image.tag`, `a.b.0.c`,
 * `a\.b` for a key containing a dot), keeping comments, key order and quoting style.
 * Missing mapping keys are created; list indexes must exist (or equal the length, to append).
 *
 * Output: `commitMessage` (`Updated <path>` + one `- key: value` line per update).
 */
import * as fs from 'node:fs';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { writeWorkspaceText } from '../adapters/step-files.js';
import { isPlainSafe, parseKeyPath, setPath, YamlFile, type YamlScalarValue } from '../adapters/yaml-edit.js';
import type { StepDefinition } from './step.js';

export const YamlUpdate = z.strictObject({
  key: z.string().min(1).describe('Dotted path of the value; escape literal dots as `\\.`.'),
  value: z
    .union([z.string(), z.number(), z.boolean(), z.null()])
    .describe('The new value (a scalar).'),
});
export type YamlUpdate = z.infer<typeof YamlUpdate>;

export const YamlUpdateConfig = z.strictObject({
  path: z.string().min(1).describe('The YAML file, relative to the workspace.'),
  updates: z.array(YamlUpdate).min(1).describe('Values to set, in order.'),
});
export type YamlUpdateConfig = z.infer<typeof YamlUpdateConfig>;

function shownValue(v: YamlScalarValue): string {
  if (typeof v === 'string') return isPlainSafe(v) ? v : JSON.stringify(v);
  return String(v);
}

export function yamlUpdateCommitMessage(path: string, updates: YamlUpdate[]): string {
  return `Updated ${path}\n\n${updates.map((u) => `- ${u.key}: ${shownValue(u.value)}`).join('\n')}`;
}

export const yamlUpdate: StepDefinition<YamlUpdateConfig> = {
  kind: 'yaml-update',
  config: YamlUpdateConfig,
  defaults: { errorThreshold: 1 },
  async run(ctx, config) {
    const file = ctx.workspace.resolveForWrite(config.path);
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new DomainError(
        'StepFailed',
        code === 'ENOENT'
          ? `file ${JSON.stringify(config.path)} does not exist`
          : `cannot read ${JSON.stringify(config.path)}: ${code ?? 'error'}`,
      );
    }
    const yaml = new YamlFile(text, config.path);
    for (const u of config.updates) setPath(yaml, parseKeyPath(u.key), u.value, config.path);
    if (yaml.changed) {
      const out = yaml.toString();
      if (out !== text) await writeWorkspaceText(ctx.workspace, config.path, out);
    }
    return { status: 'Succeeded', output: { commitMessage: yamlUpdateCommitMessage(config.path, config.updates) } };
  },
};
