/**
 * `yaml-parse`: reads a YAML file and exposes values from it as outputs, each computed by a bare
 * expression over the document (`fromExpression: image.tag`).
 */
import { parse } from 'yaml';
import { ParseConfig, parseDocumentOutputs } from '../adapters/document-parse.js';
import type { StepDefinition } from './step.js';

export const yamlParse: StepDefinition<ParseConfig> = {
  kind: 'yaml-parse',
  config: ParseConfig,
  async run(ctx, config) {
    const output = await parseDocumentOutputs(ctx.workspace, config, 'YAML', (t) => parse(t, { prettyErrors: false }) as unknown);
    return { status: 'Succeeded', output };
  },
};
