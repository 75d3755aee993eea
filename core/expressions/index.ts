/**
 * Kargo's expression language (`${{ }}` templates over an expr-lang v1.17 subset), evaluated by
 * our own interpreter: no eval, no Function constructor, no I/O, no clock. Safe in the workflow
 * sandbox.
 *
 * @example
 *   renderString('${{ 40 + 2 }}', { variables: {} })               // 42
 *   renderString('${{ quote(40 + 2) }}', { variables: {} })        // "42"
 *   renderTemplate({ tag: '${{ imageFrom("nginx").Tag }}' }, {
 *     variables: { ctx }, functions: kargoFunctions({ freight }) })
 */
export type { Ast } from './ast.js';
export { ExpressionError } from './errors.js';
export { parseExpression, checkExpressionSyntax } from './parser.js';
export { evaluateExpression, type ExpressionEnv, type ExpressionFunction } from './evaluate.js';
export { DEFAULT_EXPRESSION_LIMITS, ExpressionBudget, type ExpressionLimits } from './budget.js';
export {
  containsTemplate,
  renderString,
  renderTemplate,
  checkTemplateSyntax,
  type TemplateSyntaxIssue,
} from './template.js';
export { kargoFunctions, type KargoFunctionOptions, type StepStatusEntry } from './kargo-functions.js';
export { TimeValue } from './time.js';
export { SemverValue } from './semver-value.js';
export { DocumentRoot, evaluateOutputs, type OutputSpec } from './outputs.js';
export { rewriteLegacyExpression, rewriteLegacyTemplate, usesLegacyStepsVariable } from './legacy.js';
