/**
 * `yaml-merge`: merges YAML files in order into one (later files win; mappings merge key by key,
 * anything else is replaced), keeping the comments and key order of the first file.
 *
 * Output: `commitMessage`.
 */
import { isMap, parseDocument, type Document, type Pair, type YAMLMap } from 'yaml';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { existsInWorkspace, readWorkspaceText, writeWorkspaceText } from '../adapters/step-files.js';
import type { StepDefinition } from './step.js';

export const YamlMergeConfig = z.strictObject({
  inFiles: z.array(z.string().min(1)).min(1).describe('YAML files to merge, in order; later ones win.'),
  outFile: z.string().min(1).describe('Where to write the result, relative to the workspace.'),
  ignoreMissingFiles: z.boolean().optional().describe('Skip input files that do not exist (default false).'),
});
export type YamlMergeConfig = z.infer<typeof YamlMergeConfig>;

function keyOf(pair: Pair): string {
  const k = pair.key as { value?: unknown } | string | number | null;
  return String(typeof k === 'object' && k !== null ? k.value : k);
}

function mergeMaps(dst: YAMLMap, src: YAMLMap): void {
  for (const pair of src.items) {
    const key = keyOf(pair);
    const existing = dst.items.find((p) => keyOf(p) === key);
    if (existing && isMap(existing.value) && isMap(pair.value)) mergeMaps(existing.value, pair.value);
    else if (existing) existing.value = pair.value;
    else dst.items.push(pair);
  }
}

function load(text: string, file: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new DomainError('StepFailed', `${JSON.stringify(file)} is not valid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`);
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new DomainError('StepFailed', `${JSON.stringify(file)} does not hold a YAML mapping at its top level`);
  }
  return doc;
}

export const yamlMerge: StepDefinition<YamlMergeConfig> = {
  kind: 'yaml-merge',
  config: YamlMergeConfig,
  async run(ctx, config) {
    let result: Document | undefined;
    const used: string[] = [];
    for (const file of config.inFiles) {
      if (!(await existsInWorkspace(ctx.workspace, file))) {
        if (config.ignoreMissingFiles) continue;
        throw new DomainError('StepFailed', `input file ${JSON.stringify(file)} does not exist (set ignoreMissingFiles to skip it)`);
      }
      const doc = load(await readWorkspaceText(ctx.workspace, file), file);
      used.push(file);
      if (result === undefined) result = doc;
      else if (isMap(doc.contents)) {
        if (!isMap(result.contents)) result.contents = doc.contents;
        else mergeMaps(result.contents, doc.contents);
      }
    }
    const text = result === undefined || result.contents === null ? '{}\n' : result.toString();
    await writeWorkspaceText(ctx.workspace, config.outFile, text);
    const list = used.map((f) => `- ${f}`).join('\n');
    return { status: 'Succeeded', output: { commitMessage: `Merged YAML into ${config.outFile}\n\n${list}` } };
  },
};
