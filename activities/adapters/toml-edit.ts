/**
 * Edits TOML text in place the way Kargo's editor does (pkg/toml): every value is located by its
 * byte range (toml-eslint-parser), and only the ranges of the updated scalars are replaced, so
 * quotes, inline tables, array spacing and comments elsewhere stay byte for byte. A key that
 * does not exist, or that names a table or an array, is refused (Kargo never creates keys).
 */
import { parseTOML } from 'toml-eslint-parser';
import type { AST } from 'toml-eslint-parser';
import { DomainError } from '../../core/errors.js';

export type TomlScalar = string | number | boolean;

interface NodeRef {
  kind: string;
  range: [number, number];
  scalar: boolean;
}

const encode = (path: readonly (string | number)[]): string => path.map((p) => `${String(p).length}:${String(p)}|`).join('');

function keyParts(key: AST.TOMLKey): string[] {
  return key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));
}

/** Kargo's names for what a path addresses when it is not a scalar (go-toml's node kinds). */
function kindOf(node: AST.TOMLContentNode | AST.TOMLTable): string {
  if (node.type === 'TOMLTable') return node.kind === 'array' ? 'ArrayTable' : 'Table';
  if (node.type === 'TOMLArray') return 'Array';
  if (node.type === 'TOMLInlineTable') return 'InlineTable';
  return 'Scalar';
}

function indexValue(index: Map<string, NodeRef>, node: AST.TOMLContentNode, path: (string | number)[]): void {
  const scalar = node.type === 'TOMLValue';
  index.set(encode(path), { kind: kindOf(node), range: node.range, scalar });
  if (node.type === 'TOMLArray') node.elements.forEach((el, i) => indexValue(index, el, [...path, i]));
  else if (node.type === 'TOMLInlineTable') {
    for (const kv of node.body) indexValue(index, kv.value, [...path, ...keyParts(kv.key)]);
  }
}

function indexNodes(text: string, what: string): Map<string, NodeRef> {
  let ast: AST.TOMLProgram;
  try {
    ast = parseTOML(text);
  } catch (err) {
    throw new DomainError('StepFailed', `${what}: error parsing input: ${(err as Error).message.split('\n')[0]}`);
  }
  const index = new Map<string, NodeRef>();
  const top = ast.body[0];
  for (const item of top.body) {
    if (item.type === 'TOMLKeyValue') {
      indexValue(index, item.value, keyParts(item.key));
      continue;
    }
    const tablePath = item.resolvedKey;
    const ref: NodeRef = { kind: kindOf(item), range: item.range, scalar: false };
    if (item.kind === 'array') index.set(encode(tablePath.slice(0, -1)), ref);
    index.set(encode(tablePath), ref);
    for (const kv of item.body) indexValue(index, kv.value, [...tablePath, ...keyParts(kv.key)]);
  }
  return index;
}

/**
 * A scalar as go-toml writes it (Kargo's FormatValue): strings as literal strings (`'v'`) unless
 * they hold `'`, a line break or a control character, then as basic strings with escapes.
 * Integers stay integers (Kargo's float64 config numbers would print `100.0`; see README).
 */
export function tomlValueText(value: TomlScalar): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    return String(value);
  }
  if (!/['\r\n\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) return `'${value}'`;
  let out = '"';
  for (const ch of value) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Sets each update in TOML `text`; returns the new text. Later updates of the same key win.
 * @throws DomainError('StepFailed') for text that is not TOML, a key that is not there, or one
 * that names a table or an array rather than a scalar.
 */
export function updateToml(text: string, updates: { key: string; segments: string[]; value: TomlScalar }[], what: string): string {
  const index = indexNodes(text, what);
  const changes = new Map<string, { range: [number, number]; text: string }>();
  for (const u of updates) {
    const encoded = encode(u.segments);
    const ref = index.get(encoded);
    if (!ref) throw new DomainError('StepFailed', `${what}: error finding key ${u.key}: key path not found`);
    if (!ref.scalar) {
      throw new DomainError('StepFailed', `${what}: error finding key ${u.key}: key path addresses ${ref.kind} instead of a scalar node`);
    }
    changes.set(encoded, { range: ref.range, text: tomlValueText(u.value) });
  }
  let out = text;
  for (const ch of [...changes.values()].sort((a, b) => b.range[0] - a.range[0])) {
    out = out.slice(0, ch.range[0]) + ch.text + out.slice(ch.range[1]);
  }
  return out;
}
