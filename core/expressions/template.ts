/**
 * `${{ expr }}` / `${% expr %}` templates and Kargo's typing rules for rendered strings
 * (pkg/expressions/json_templates.go, EvaluateTemplate).
 */
import { encodedLengthEstimate, ExpressionBudget, isBudgetExceeded } from './budget.js';
import { ExpressionError } from './errors.js';
import { evaluateExpression, type ExpressionEnv } from './evaluate.js';
import { parseGoBool, parseGoFloat } from './go-strconv.js';
import { parseExpression } from './parser.js';
import { TEMPLATE_FUNCTIONS } from './template-functions.js';
import { isMap, setOwn, toGoJson } from './values.js';

const DELIMITERS = [
  { start: '${{', end: '}}' },
  { start: '${%', end: '%}' },
] as const;

type Segment = { text: string } | { expression: string; offset: number };

/** Whether a string holds an expression (`${{` or `${%`). */
export function containsTemplate(s: string): boolean {
  return DELIMITERS.some((d) => s.includes(d.start));
}

/** Splits a template into literal text and expressions; throws on an unclosed delimiter. */
function segments(template: string): Segment[] {
  const out: Segment[] = [];
  let rest = template;
  let consumed = 0;
  for (;;) {
    let found: { at: number; start: string; end: string } | undefined;
    for (const d of DELIMITERS) {
      const at = rest.indexOf(d.start);
      if (at >= 0 && (found === undefined || at < found.at)) found = { at, start: d.start, end: d.end };
    }
    if (found === undefined) {
      if (rest !== '') out.push({ text: rest });
      return out;
    }
    const exprStart = found.at + found.start.length;
    const exprEnd = rest.indexOf(found.end, exprStart);
    if (exprEnd < 0) {
      throw new ExpressionError(
        `unclosed expression: expected "${found.end}" but reached end of template`,
        template,
        consumed + found.at,
      );
    }
    if (found.at > 0) out.push({ text: rest.slice(0, found.at) });
    out.push({ expression: rest.slice(exprStart, exprEnd), offset: consumed + exprStart });
    const next = exprEnd + found.end.length;
    consumed += next;
    rest = rest.slice(next);
  }
}

/**
 * Renders one string by Kargo's rules. Without a delimiter the string is returned untouched
 * ("42" stays a string). Otherwise every expression is evaluated and written as text: strings as
 * they are, anything else JSON-encoded, so nil becomes `null` (this follows Kargo, which
 * json.Marshals non-string results; `${{ nil }}` therefore renders as null and `a${{ nil }}` as
 * "anull"). Then, with one trailing newline set aside:
 *  1. text wrapped in double quotes → the inside, as a string (what quote() relies on);
 *  2. text Go's strconv.ParseFloat accepts and that is finite → number ("0" and "1" included);
 *  3. text strconv.ParseBool accepts → bool (note Go also accepts t, T, TRUE, True, f, F, ...);
 *  4. valid JSON → that value (objects, arrays, null);
 *  5. otherwise the string, newline restored.
 * A single `${{ obj }}` thus yields the object itself (after a JSON round-trip).
 */
export function renderString(s: string, env: ExpressionEnv): unknown {
  if (!containsTemplate(s)) return s;
  // One budget for every expression of the string (and of the whole value, when the caller shares one).
  const budget = env.budget ?? new ExpressionBudget();
  const templateEnv: ExpressionEnv = { ...env, functions: { ...env.functions, ...TEMPLATE_FUNCTIONS }, budget };
  let text = '';
  for (const segment of segments(s)) {
    if ('text' in segment) {
      text += segment.text;
      continue;
    }
    const value = evaluateExpression(segment.expression, templateEnv);
    text += typeof value === 'string' ? value : encode(value, segment.expression, budget);
  }
  return typeText(text);
}

function encode(value: unknown, expression: string, budget: ExpressionBudget): string {
  try {
    // A value that shares parts (map(1..1000, list)) can encode to far more text than it holds.
    budget.ensureString(encodedLengthEstimate(value, 0, budget));
    return toGoJson(value);
  } catch (err) {
    if (isBudgetExceeded(err)) throw new ExpressionError(err.message, expression, undefined, undefined, 'BudgetExceeded');
    throw new ExpressionError(`cannot render result: ${(err as Error).message}`, expression);
  }
}

/** Kargo's typing rules applied to rendered text (see renderString). */
export function typeText(rendered: string): unknown {
  let text = rendered;
  const removedNewline = text.endsWith('\n');
  if (removedNewline) text = text.slice(0, -1);
  const restore = (s: string): string => (removedNewline ? `${s}\n` : s);
  if (text.length > 1 && text.startsWith('"') && text.endsWith('"')) return restore(text.slice(1, -1));
  const n = parseGoFloat(text);
  if (n !== undefined && Number.isFinite(n)) return n;
  const b = parseGoBool(text);
  if (b !== undefined) return b;
  try {
    const parsed = JSON.parse(text) as unknown;
    // Go's json.Unmarshal rejects numbers beyond float64 (1e400); JSON.parse gives Infinity.
    if (allFinite(parsed)) return parsed;
  } catch {
    // not JSON: a plain string
  }
  return restore(text);
}

function allFinite(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(allFinite);
  if (isMap(v)) return Object.values(v).every(allFinite);
  return true;
}

/**
 * Renders every string value inside objects and arrays (keys are never rendered) and returns a
 * new tree; the input is not modified. Errors name the path of the failing value.
 */
export function renderTemplate(value: unknown, env: ExpressionEnv): unknown {
  return renderAt(value, env, '');
}

function renderAt(value: unknown, env: ExpressionEnv, path: string): unknown {
  if (typeof value === 'string') {
    try {
      return renderString(value, env);
    } catch (err) {
      if (err instanceof ExpressionError) throw err.withPath(path);
      throw err;
    }
  }
  if (Array.isArray(value)) return value.map((item, i) => renderAt(item, env, joinPath(path, i)));
  if (isMap(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) setOwn(out, key, renderAt(value[key], env, joinPath(path, key)));
    return out;
  }
  return value;
}

/** `a.b`, `a[0]`, `a["x.y"]` for keys that are not simple names. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

export interface TemplateSyntaxIssue {
  /** Where the value sits, e.g. `config.images[0].tag`. */
  path: string;
  message: string;
  /** 0-based offset into the expression (or, for an unclosed delimiter, into the string). */
  position?: number;
}

/**
 * Parses (without evaluating) every `${{ }}` in a value tree and lists the problems: unclosed
 * delimiters and syntax errors. Unknown names and functions are only found at evaluation.
 */
export function checkTemplateSyntax(value: unknown, basePath = ''): TemplateSyntaxIssue[] {
  const issues: TemplateSyntaxIssue[] = [];
  const visit = (v: unknown, path: string): void => {
    if (typeof v === 'string') {
      if (!containsTemplate(v)) return;
      const report = (err: unknown): void => {
        if (!(err instanceof ExpressionError)) throw err;
        issues.push({ path, message: err.message, ...(err.position === undefined ? {} : { position: err.position }) });
      };
      let parts: Segment[];
      try {
        parts = segments(v);
      } catch (err) {
        report(err);
        return;
      }
      for (const segment of parts) {
        if (!('expression' in segment)) continue;
        try {
          parseExpression(segment.expression);
        } catch (err) {
          report(err);
        }
      }
      return;
    }
    if (Array.isArray(v)) v.forEach((item, i) => visit(item, joinPath(path, i)));
    else if (isMap(v)) for (const key of Object.keys(v)) visit(v[key], joinPath(path, key));
  };
  visit(value, basePath);
  return issues;
}
