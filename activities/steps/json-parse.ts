/** `json-parse`: reads a JSON file and exposes values from it as outputs (bare expressions). */
import { ParseConfig, parseDocumentOutputs } from '../adapters/document-parse.js';
import type { StepDefinition } from './step.js';

export const jsonParse: StepDefinition<ParseConfig> = {
  kind: 'json-parse',
  config: ParseConfig,
  async run(ctx, config) {
    const output = await parseDocumentOutputs(ctx.workspace, config, 'JSON', (t) => JSON.parse(t) as unknown);
    return { status: 'Succeeded', output };
  },
};
