/**
 * Named outputs computed by bare (undelimited) expressions over a document: what the
 * `yaml-parse`/`json-parse`/`toml-parse` steps and the `http` step's `outputs` do. The
 * document's top-level keys are the expression's variables, as in Kargo (`expr.Eval(expr, doc)`);
 * a document that is a list or a scalar is reached through `$env` (`$env[0]`, `len($env)`).
 */
import { ExpressionError } from './errors.js';
import { evaluateExpression, type ExpressionEnv, type ExpressionFunction } from './evaluate.js';

/** A document that is not a mapping (a list, a scalar), seen by expressions only as `$env`. */
export class DocumentRoot {
  constructor(readonly root: unknown) {}
}

export interface OutputSpec {
  name: string;
  fromExpression: string;
}

/**
 * Evaluates each output's expression. An error names the field: `outputs[1].fromExpression: …`.
 * @throws ExpressionError
 */
export function evaluateOutputs(
  specs: readonly OutputSpec[],
  variables: Record<string, unknown> | DocumentRoot,
  functions: Record<string, ExpressionFunction> = {},
  field = 'outputs',
): Record<string, unknown> {
  const env: ExpressionEnv =
    variables instanceof DocumentRoot ? { variables: {}, functions, root: { value: variables.root } } : { variables, functions };
  const out: Record<string, unknown> = {};
  specs.forEach((spec, i) => {
    try {
      out[spec.name] = evaluateExpression(spec.fromExpression, env);
    } catch (err) {
      if (err instanceof ExpressionError) throw err.withPath(`config.${field}[${i}].fromExpression`);
      throw err;
    }
  });
  return out;
}
