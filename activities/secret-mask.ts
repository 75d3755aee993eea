/**
 * What a step shows (outputs, messages, errors, logs) with every value that came from a Secret
 * replaced by `***`: the Secret values read for the step, and every rendered config value whose
 * `${{ }}` expression could reach Secret data (it names `secret`, `sharedSecret` or `secrets`,
 * or `vars` when a var does), whatever it did to them (`lower()`, `split`/`join`, reversal...).
 *
 * It catches what a step echoes from its config; it cannot catch a secret transformed by the
 * step itself or by the remote end, nor one an author deliberately sends somewhere (an `http`
 * step, a commit). Values shorter than MIN_LENGTH are not masked (too many false hits).
 */
import { isRecord } from '../core/record.js';

/** Whether an expression could read Secret data. */
const SECRET_REFERENCE = /\b(secret|sharedSecret|secrets)\b/;
const VARS_REFERENCE = /\bvars\b/;
const MIN_LENGTH = 4;

function hasExpression(s: string): boolean {
  return s.includes('${{') || s.includes('${%');
}

/** Whether a template (string, or any string inside it) could read Secret data. */
export function readsSecrets(template: unknown, varsTainted: boolean): boolean {
  if (typeof template === 'string') {
    return hasExpression(template) && (SECRET_REFERENCE.test(template) || (varsTainted && VARS_REFERENCE.test(template)));
  }
  if (Array.isArray(template)) return template.some((t) => readsSecrets(t, varsTainted));
  if (isRecord(template)) return Object.values(template).some((t) => readsSecrets(t, varsTainted));
  return false;
}

function leaves(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'boolean') out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) leaves(v, out);
  else if (isRecord(value)) for (const v of Object.values(value)) leaves(v, out);
}

/**
 * The rendered values (as text) found where the template held an expression that could read
 * Secret data. Templates and rendered values are walked side by side; where their shapes part
 * (an expression rendered into an object), everything under that point counts.
 */
export function derivedValues(template: unknown, rendered: unknown, varsTainted: boolean, out: string[] = []): string[] {
  if (typeof template === 'string') {
    if (readsSecrets(template, varsTainted)) leaves(rendered, out);
  } else if (Array.isArray(template)) {
    if (!Array.isArray(rendered)) {
      if (readsSecrets(template, varsTainted)) leaves(rendered, out);
    } else template.forEach((t, i) => derivedValues(t, rendered[i], varsTainted, out));
  } else if (isRecord(template)) {
    if (!isRecord(rendered)) {
      if (readsSecrets(template, varsTainted)) leaves(rendered, out);
    } else for (const [k, t] of Object.entries(template)) derivedValues(t, rendered[k], varsTainted, out);
  }
  return out;
}

export class SecretMask {
  private readonly values: string[];

  constructor(values: Iterable<string>) {
    const all = new Set<string>();
    for (const v of values) {
      if (v.length < MIN_LENGTH) continue;
      // As written, and as a step most often re-encodes it in a message (JSON, URL).
      all.add(v);
      all.add(JSON.stringify(v).slice(1, -1));
      all.add(encodeURIComponent(v));
    }
    this.values = [...all].filter((v) => v.length >= MIN_LENGTH).sort((a, b) => b.length - a.length);
  }

  text(s: string): string {
    let out = s;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join('***');
    return out;
  }

  /** `value` with every masked value inside its strings replaced by `***`. */
  value<T>(value: T): T {
    if (this.values.length === 0) return value;
    if (typeof value === 'string') return this.text(value) as T;
    if (Array.isArray(value)) return value.map((v: unknown) => this.value(v)) as T;
    if (isRecord(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.value(v);
      return out as T;
    }
    return value;
  }

  /** The same error (class, code, cause) with its message, stack and details masked. */
  error(err: unknown): unknown {
    if (this.values.length === 0 || !(err instanceof Error)) return typeof err === 'string' ? this.text(err) : err;
    err.message = this.text(err.message);
    if (err.stack !== undefined) err.stack = this.text(err.stack);
    const details = (err as { details?: unknown }).details;
    if (Array.isArray(details)) Object.defineProperty(err, 'details', { value: this.value(details), enumerable: true });
    return err;
  }
}
