/**
 * The four functions Kargo adds to every `${{ }}` template (pkg/expressions/json_templates.go).
 * Each returns text that survives renderString's typing rules as a string: the result is wrapped
 * in double quotes, which the typing step strips.
 */
import { stringify } from 'yaml';
import { activeBudget, encodedLengthEstimate } from './budget.js';
import { FunctionError } from './errors.js';
import type { ExpressionFunction } from './evaluate.js';
import { goQuote, toGoJson, toPlainData } from './values.js';

function one(name: string, args: unknown[]): unknown {
  if (args.length !== 1) throw new FunctionError(`invalid number of arguments for ${name} (expected 1, got ${args.length})`);
  return args[0];
}

/**
 * `quote(v)`: a string comes back Go-quoted (`"x"`), which renders as the string `x`; anything
 * else goes through unsafeQuote, so `quote(40+2)` renders as the string "42", not the number 42.
 */
export function quote(...args: unknown[]): string {
  const v = one('quote', args);
  return typeof v === 'string' ? goQuote(v) : unsafeQuote(v);
}

/** `unsafeQuote(v)`: `"` + JSON(v) + `"`; a string keeps its own quotes (`"x"` renders as `"x"`). */
export function unsafeQuote(...args: unknown[]): string {
  const v = one('unsafeQuote', args);
  ensureRoomForIndented(v, 0);
  return `"${toGoJson(v)}"`;
}

/** Refuses, before encoding, a (compact or indented) text of `v` the expression budget cannot hold. */
function ensureRoomForIndented(v: unknown, indentWidth: number): void {
  const budget = activeBudget();
  budget.ensureString(encodedLengthEstimate(v, indentWidth, budget));
}

/** `asJSON(v)`: indented JSON with a trailing newline, kept a string. */
export function asJSON(...args: unknown[]): string {
  const v = one('asJSON', args);
  ensureRoomForIndented(v, 2);
  return `"${toGoJson(v, '  ')}\n"`;
}

/** `asYAML(v)`: YAML text (keys sorted, 4-space indent as Go's yaml.v3 writes it), kept a string. */
export function asYAML(...args: unknown[]): string {
  const v = one('asYAML', args);
  ensureRoomForIndented(v, 4);
  const data = toPlainData(v);
  return `"${stringify(data, { indent: 4, sortMapEntries: true, lineWidth: 0 })}"`;
}

/** Always present while rendering templates; Kargo reserves these names. */
export const TEMPLATE_FUNCTIONS: Readonly<Record<string, ExpressionFunction>> = Object.freeze({
  quote,
  unsafeQuote,
  asJSON,
  asYAML,
});
