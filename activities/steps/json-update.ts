/**
 * `json-update`: sets values at sjson-style key paths in a JSON file (`image.tag`, `a.0.b`,
 * `a\.b` for a key containing a dot, `list.-1` to append). Key order and the file's indentation
 * are kept; an update that changes nothing leaves the file untouched.
 *
 * An empty file is read as `{}`, as sjson (Kargo) does.
 *
 * Output: `commitMessage` (`Updated <path>` + one `- key: value` line per update, strings quoted
 * with Go's `%q` and numbers printed with Go's `%v`, as Kargo does).
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { setDataPath } from '../adapters/data-path.js';
import { goQuote, goScalarV } from '../adapters/go-format.js';
import { readWorkspaceText, writeWorkspaceText } from '../adapters/step-files.js';
import { parseKeyPath } from '../adapters/yaml-edit.js';
import type { StepDefinition } from './step.js';

export const JsonUpdateConfig = z.strictObject({
  path: z.string().min(1).describe('The JSON file, relative to the workspace.'),
  updates: z
    .array(
      z.strictObject({
        key: z.string().min(1).describe('sjson-style path of the value.'),
        value: z.union([z.string(), z.number(), z.boolean()]).describe('The new value (a string, number or bool; Kargo refuses null).'),
      }),
    )
    .min(1)
    .describe('Values to set, in order.'),
});
export type JsonUpdateConfig = z.infer<typeof JsonUpdateConfig>;

/** The indentation the file uses (its first indented line), default two spaces. */
export function detectIndent(text: string): string | number {
  const m = /\n([ \t]+)\S/.exec(text);
  return m?.[1] ?? 2;
}

/** Kargo's message: `- key: "text"` for a string, `- key: 1e+06` for a number. */
export function jsonUpdateCommitMessage(path: string, updates: JsonUpdateConfig['updates']): string {
  const shown = (v: string | number | boolean): string => (typeof v === 'string' ? goQuote(v) : goScalarV(v));
  return `Updated ${path}\n\n${updates.map((u) => `- ${u.key}: ${shown(u.value)}`).join('\n')}`;
}

export const jsonUpdate: StepDefinition<JsonUpdateConfig> = {
  kind: 'json-update',
  config: JsonUpdateConfig,
  async run(ctx, config) {
    const text = await readWorkspaceText(ctx.workspace, config.path);
    let doc: unknown;
    try {
      doc = text.trim() === '' ? {} : JSON.parse(text);
    } catch (err) {
      throw new DomainError('StepFailed', `${JSON.stringify(config.path)} is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof doc !== 'object' || doc === null) {
      throw new DomainError('StepFailed', `${JSON.stringify(config.path)} does not hold a JSON object or list at its top level`);
    }
    let changed = false;
    for (const u of config.updates) {
      changed = setDataPath(doc as Record<string, unknown>, parseKeyPath(u.key), u.value, config.path) || changed;
    }
    if (changed) {
      const trailing = text.endsWith('\n') ? '\n' : '';
      await writeWorkspaceText(ctx.workspace, config.path, JSON.stringify(doc, null, detectIndent(text)) + trailing);
    }
    return { status: 'Succeeded', output: { commitMessage: jsonUpdateCommitMessage(config.path, config.updates) } };
  },
};
