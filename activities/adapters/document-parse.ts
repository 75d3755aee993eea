/**
 * Shared by the `yaml-parse`, `json-parse` and `toml-parse` steps: read a workspace file, parse
 * it, and compute the named outputs from it with bare expressions. A mapping's keys are the
 * expressions' variables; a list or a scalar document is `$env` (`$env[0]`, `len($env)`), as
 * with Kargo's `expr.Run(program, doc)`.
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { DocumentRoot, evaluateOutputs } from '../../core/expressions/index.js';
import { readWorkspaceText } from './step-files.js';
import type { Workspace } from './workspace.js';
import { isRecord } from '../../core/record.js';

export const ParseOutput = z.strictObject({
  name: z.string().min(1).describe('Name of the output.'),
  fromExpression: z.string().min(1).describe('Bare expression over the parsed document (its top-level keys are variables).'),
});

export const ParseConfig = z
  .strictObject({
    path: z.string().min(1).describe('The file, relative to the workspace.'),
    outputs: z.array(ParseOutput).min(1).describe('Outputs to compute from the document.'),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.outputs.forEach((o, i) => {
      if (seen.has(o.name)) ctx.addIssue({ code: 'custom', path: ['outputs', i, 'name'], message: `duplicate output name ${JSON.stringify(o.name)}` });
      seen.add(o.name);
    });
  });
export type ParseConfig = z.infer<typeof ParseConfig>;

/** Parses the file with `parse` and evaluates the outputs over it. */
export async function parseDocumentOutputs(
  ws: Workspace,
  config: ParseConfig,
  format: string,
  parse: (text: string) => unknown,
): Promise<Record<string, unknown>> {
  const text = await readWorkspaceText(ws, config.path);
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new DomainError('StepFailed', `${JSON.stringify(config.path)} is not valid ${format}: ${first}`);
  }
  return evaluateOutputs(config.outputs, isRecord(doc) ? doc : new DocumentRoot(doc));
}
