/**
 * `yaml-update`: sets existing scalars at Kargo key paths in a YAML file (`image.tag`,
 * `a.b.0.c`, `a\.b` for a key containing a dot, `:2` for a key that looks like an index),
 * keeping comments, key order and quoting style. As in Kargo, a key that is not there, or one
 * naming a mapping or a list, is refused: nothing is created.
 *
 * Output: `commitMessage` (`Updated <path>` + one `- key: value` line per update, a string
 * quoted only when YAML would read it as a number, a bool or JSON: Kargo's QuoteIfNecessary).
 */
import * as fs from 'node:fs';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { writeWorkspaceText } from '../adapters/step-files.js';
import { parseGoBool, parseGoFloat } from '../../core/expressions/go-strconv.js';
import { splitKargoKey } from '../adapters/data-path.js';
import { goQuote, goScalarV } from '../adapters/go-format.js';
import { setExistingScalar, YamlFile, type YamlScalarValue } from '../adapters/yaml-edit.js';
import type { StepDefinition } from './step.js';

export const YamlUpdate = z.strictObject({
  key: z.string().min(1).describe('Dotted path of an existing scalar; escape literal dots as `\\.`, `:2` for a key named 2.'),
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

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Kargo's `QuoteIfNecessary` printed with `%v`. */
export function quoteIfNecessary(v: YamlScalarValue): string {
  if (typeof v !== 'string') return goScalarV(v);
  const looksTyped = parseGoFloat(v) !== undefined || parseGoBool(v) !== undefined || isJson(v);
  return looksTyped ? goQuote(v) : v;
}

export function yamlUpdateCommitMessage(path: string, updates: YamlUpdate[]): string {
  return `Updated ${path}\n\n${updates.map((u) => `- ${u.key}: ${quoteIfNecessary(u.value)}`).join('\n')}`;
}

export const yamlUpdate: StepDefinition<YamlUpdateConfig> = {
  kind: 'yaml-update',
  config: YamlUpdateConfig,
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
    const what = JSON.stringify(config.path);
    for (const u of config.updates) setExistingScalar(yaml, u.key, splitKargoKey(u.key, what), u.value, what);
    if (yaml.changed) {
      const out = yaml.toString();
      if (out !== text) await writeWorkspaceText(ctx.workspace, config.path, out);
    }
    return { status: 'Succeeded', output: { commitMessage: yamlUpdateCommitMessage(config.path, config.updates) } };
  },
};
