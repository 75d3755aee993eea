/**
 * `toml-parse`: reads a TOML file and exposes values from it as outputs (bare expressions).
 * An empty file is refused, as in Kargo (`could not parse empty TOML file`).
 */
import { parse } from 'smol-toml';
import { ParseConfig, parseDocumentOutputs } from '../adapters/document-parse.js';
import type { StepDefinition } from './step.js';

/** TOML dates become ISO strings, so expressions see plain data. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

export const tomlParse: StepDefinition<ParseConfig> = {
  kind: 'toml-parse',
  config: ParseConfig,
  async run(ctx, config) {
    const output = await parseDocumentOutputs(ctx.workspace, config, 'TOML', (t) => {
      if (t === '') throw new Error('could not parse empty TOML file');
      return plain(parse(t));
    });
    return { status: 'Succeeded', output };
  },
};
