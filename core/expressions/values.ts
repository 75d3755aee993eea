/**
 * The runtime value model. Expressions work on plain JSON-like data (null, boolean, number,
 * string, arrays, plain objects) plus a few "Go values" that expose methods (times, semver
 * versions; see {@link MethodValue}). JS `undefined` is read as nil everywhere.
 *
 * Nothing here ever reaches an object's prototype: member access only sees own properties, and
 * methods can only be called on MethodValue subclasses, which list their methods explicitly.
 */
import { FunctionError } from './errors.js';

export type Nil = null | undefined;

/** A value with Go-style methods, callable from expressions as `value.Method(args)`. */
export abstract class MethodValue {
  /** Name reported by `type()`, e.g. `time.Time`. */
  abstract readonly typeName: string;
  /** Method names callable from expressions. */
  abstract methodNames(): readonly string[];
  /** Calls a method listed by {@link methodNames}. */
  abstract callMethod(name: string, args: unknown[]): unknown;
  /** The value's JSON form (what Go's encoding/json would produce). */
  abstract toJSON(): unknown;
  /** Text for `string()` and fmt's `%v`. */
  abstract toString(): string;
  /** Equality used by `==`, `in`, `uniq`. */
  abstract equals(other: unknown): boolean;
}

export const isNil = (v: unknown): v is Nil => v === null || v === undefined;

/** A plain object (a Go map or struct) as opposed to arrays, class instances and functions. */
export function isMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

export const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

const structs = new WeakSet<object>();

/**
 * Builds a Go-struct-like object: `fields` are its JSON form (enumerable, kept in this order when
 * encoded) and `aliases` maps Go field names (`Tag`) to JSON names (`tag`), readable from
 * expressions but invisible to JSON encoding and `keys()`.
 */
export function makeStruct(fields: Record<string, unknown>, aliases: Record<string, string> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...fields };
  for (const [goName, jsonName] of Object.entries(aliases)) {
    if (goName === jsonName) continue;
    Object.defineProperty(out, goName, { get: () => out[jsonName], enumerable: false });
  }
  structs.add(out);
  return out;
}

export const isStruct = (v: object): boolean => structs.has(v);

/** Own-property lookup on a map; missing keys are nil. */
export function getOwn(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** Defines an own, enumerable property; safe for keys like `__proto__`. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export const hasOwn = (obj: object, key: string): boolean => Object.prototype.hasOwnProperty.call(obj, key);

/** The name `type()` returns, after expr-lang: nil bool int float string array map func, or a Go type. */
export function typeName(v: unknown): string {
  if (isNil(v)) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  if (v instanceof MethodValue) return v.typeName;
  if (typeof v === 'function') return 'func';
  if (isMap(v)) return 'map';
  return 'unknown';
}

/** The type name Go's `%T` prints for a decoded value, as expr-lang's messages show it. */
export function goTypeName(v: unknown): string {
  if (isNil(v)) return '<nil>';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (isMap(v)) return 'map[string]interface {}';
  return typeName(v);
}

/** expr-lang's runtime.Equal: numbers compare by value, arrays and maps deeply, mixed types never. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (a instanceof MethodValue) return a.equals(b);
  if (b instanceof MethodValue) return b.equals(a);
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (!isMap(a) || !isMap(b)) return a === b;
  const keysA = Object.keys(a).filter((k) => a[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => b[k] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => hasOwn(b, k) && deepEqual(a[k], b[k]));
}

/** Go's `fmt.Sprintf("%v", v)`, used by `string()`. */
export function formatValue(v: unknown): string {
  if (isNil(v)) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  if (v instanceof MethodValue) return v.toString();
  if (isMap(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (!isStruct(v)) keys.sort();
    const body = keys.map((k) => `${k}:${formatValue(v[k])}`).join(' ');
    return isStruct(v) ? `{${keys.map((k) => formatValue(v[k])).join(' ')}}` : `map[${body}]`;
  }
  return String(v);
}

/** Go's %v for float64 is %g: exponent form below 1e-4 and from 1e21 (JS's own thresholds differ slightly). */
function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  const text = n !== 0 && Math.abs(n) < 1e-4 ? n.toExponential() : String(n);
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

// ---- JSON, the way Go's encoding/json writes it -------------------------------------------------

/**
 * Encodes like Go's `json.Marshal` (or `json.MarshalIndent(v, "", indent)` when `indent` is set):
 * map keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped, NaN and ±Inf rejected.
 */
export function toGoJson(value: unknown, indent?: string): string {
  return encode(value, indent, '', 0);
}

function encode(v: unknown, indent: string | undefined, prefix: string, depth: number): string {
  if (depth > 500) throw new FunctionError('json: value is nested too deeply');
  if (isNil(v)) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new FunctionError(`json: unsupported value: ${formatNumber(v)}`);
    return Object.is(v, -0) ? '-0' : String(v);
  }
  if (typeof v === 'string') return quoteJsonString(v);
  if (v instanceof MethodValue) return encode(v.toJSON(), indent, prefix, depth + 1);
  if (v instanceof Date) return quoteJsonString(v.toISOString());
  if (typeof v === 'function') throw new FunctionError('json: unsupported type: func');
  const inner = indent === undefined ? '' : prefix + indent;
  const open = indent === undefined ? '' : `\n${inner}`;
  const close = indent === undefined ? '' : `\n${prefix}`;
  const sep = indent === undefined ? ',' : `,\n${inner}`;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${open}${v.map((item) => encode(item, indent, inner, depth + 1)).join(sep)}${close}]`;
  }
  if (typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
    if (!isStruct(obj)) keys.sort();
    if (keys.length === 0) return '{}';
    const colon = indent === undefined ? ':' : ': ';
    const parts = keys.map((k) => `${quoteJsonString(k)}${colon}${encode(obj[k], indent, inner, depth + 1)}`);
    return `{${open}${parts.join(sep)}${close}}`;
  }
  throw new FunctionError(`json: unsupported type: ${typeof v}`);
}

const JSON_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

export function quoteJsonString(s: string): string {
  return `"${s.replace(/["\\\n\r\t<>&\u2028\u2029\u0000-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => {
    const known = JSON_ESCAPES[c];
    if (known !== undefined) return known;
    if (c.length === 1 && c >= '\ud800' && c <= '\udfff') return '\\ufffd';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  })}"`;
}

/** Go's `%q` (strconv.Quote): used by `quote()`. Non-printable characters become escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) as number;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0xd800 && code <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return `${out}"`;
}

/** Parses JSON text into plain data (Go's json.Unmarshal into `any`). */
export function parseJson(text: string): unknown {
  return JSON.parse(text) as unknown;
}

/** A JSON round-trip: what a value looks like to whoever reads the rendered config. */
export function toPlainData(v: unknown): unknown {
  return parseJson(toGoJson(v));
}
