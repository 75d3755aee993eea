/**
 * Editing YAML files the way a person would: comments, key order, quoting and spacing stay.
 *
 * Changing the value of a scalar that exists is done by splicing the new text into the original
 * source at the scalar's position, so the rest of the file stays byte for byte. Only changes to
 * the structure (a new key, a new list entry, a removed key) re-serialize the document through
 * `yaml`'s `Document`, which still keeps comments and order (indentation style is detected).
 */
import {
  Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parse,
  parseAllDocuments,
  Scalar,
  YAMLMap,
  YAMLSeq,
  type Node as YamlNode,
  type Pair,
  type ToStringOptions,
} from 'yaml';
import { DomainError } from '../../core/errors.js';

export type YamlScalarValue = string | number | boolean | null;

interface Splice {
  start: number;
  end: number;
  text: string;
}

const PLAIN_SAFE = /^[A-Za-z0-9_./@~+=$%^-]([A-Za-z0-9_./@~+=$%^:\- ]*[A-Za-z0-9_./@~+=$%^-])?$/;

/** Whether `s` can be written as a plain (unquoted) scalar and read back as the same string. */
export function isPlainSafe(s: string): boolean {
  if (s === '' || !PLAIN_SAFE.test(s)) return false;
  try {
    return parse(s) === s;
  } catch {
    return false;
  }
}

/** A scalar's text in a given style (for splicing and commit messages). */
export function scalarText(value: YamlScalarValue, type: Scalar.Type | undefined): { text: string; type: Scalar.Type } {
  if (value === null) return { text: 'null', type: 'PLAIN' };
  if (typeof value !== 'string') return { text: String(value), type: 'PLAIN' };
  if (type === 'QUOTE_SINGLE' && !/[\n\r]/.test(value)) return { text: `'${value.replace(/'/g, "''")}'`, type };
  if (type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') return { text: JSON.stringify(value), type: 'QUOTE_DOUBLE' };
  if (isPlainSafe(value)) return { text: value, type: 'PLAIN' };
  return { text: JSON.stringify(value), type: 'QUOTE_DOUBLE' };
}

/** `a.b.0.c` → `['a','b','0','c']`; `a\.b` is one key `a.b`; `\\` is a backslash. */
export function parseKeyPath(key: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < key.length; i++) {
    const c = key[i];
    if (c === '\\' && i + 1 < key.length) {
      cur += key[i + 1];
      i++;
    } else if (c === '.') {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  if (out.some((s) => s === '')) {
    throw new DomainError('StepFailed', `key ${JSON.stringify(key)} has an empty segment`);
  }
  return out;
}

function detectFormat(text: string): ToStringOptions {
  // `key:\n- item` (kustomize style) vs `key:\n  - item`.
  const lines = text.split(/\r?\n/);
  let indentSeq: boolean | undefined;
  let indent: number | undefined;
  for (let i = 0; i + 1 < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!/^\s*[^#\s].*:\s*(#.*)?$/.test(line)) continue;
    const own = /^\s*/.exec(line)?.[0].length ?? 0;
    let j = i + 1;
    while (j < lines.length && /^\s*(#.*)?$/.test(lines[j] ?? '')) j++;
    const next = lines[j] ?? '';
    const nextIndent = /^\s*/.exec(next)?.[0].length ?? 0;
    if (/^\s*- /.test(next) || /^\s*-$/.test(next)) {
      if (indentSeq === undefined) indentSeq = nextIndent > own;
    } else if (nextIndent > own && indent === undefined) {
      indent = nextIndent - own;
    }
    if (indentSeq !== undefined && indent !== undefined) break;
  }
  return {
    lineWidth: 0,
    minContentWidth: 0,
    indent: indent && indent <= 8 ? indent : 2,
    indentSeq: indentSeq ?? true,
    flowCollectionPadding: false,
  };
}

/**
 * A line with its spacing before a trailing comment collapsed, or undefined when it has no
 * comment or the `#` might sit inside quotes.
 */
function commentKey(line: string): string | undefined {
  const m = /^(.*?\S)(\s+)(#.*)$/.exec(line.trimEnd());
  if (!m?.[1] || !m[3]) return undefined;
  const before = m[1];
  if ((before.match(/"/g) ?? []).length % 2 !== 0 || (before.match(/'/g) ?? []).length % 2 !== 0) return undefined;
  return `${before} ${m[3]}`;
}

/**
 * Re-serializing normalizes the spacing before trailing comments (`key: v   # c` → `key: v # c`);
 * lines that are otherwise unchanged get their original spacing back.
 */
function restoreSpacing(source: string, output: string): string {
  const originals = new Map<string, string[]>();
  for (const line of source.split('\n')) {
    const key = commentKey(line);
    if (key !== undefined && key !== line) originals.set(key, [...(originals.get(key) ?? []), line]);
  }
  if (originals.size === 0) return output;
  return output
    .split('\n')
    .map((line) => {
      const key = commentKey(line);
      const candidates = key === undefined ? undefined : originals.get(key);
      return candidates && candidates.length > 0 ? (candidates.shift() as string) : line;
    })
    .join('\n');
}

/** One YAML document opened for editing. */
export class YamlFile {
  readonly doc: Document.Parsed;
  private readonly source: string;
  private readonly splices: Splice[] = [];
  private structural = false;

  /** @throws DomainError('StepFailed') when `text` is not one valid YAML document. */
  constructor(text: string, what: string) {
    this.source = text;
    const docs = parseAllDocuments(text);
    const list = Array.isArray(docs) ? docs : [docs];
    if (list.length > 1) throw new DomainError('StepFailed', `${what} holds several YAML documents; expected one`);
    const doc = list[0] ?? new Document();
    if (doc.errors.length > 0) {
      throw new DomainError('StepFailed', `${what} is not valid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`);
    }
    this.doc = doc as Document.Parsed;
  }

  get changed(): boolean {
    return this.structural || this.splices.length > 0;
  }

  /** Marks a change the splicer cannot express; the document is re-serialized. */
  markStructural(): void {
    this.structural = true;
  }

  /** The root mapping, created when the document is empty. */
  rootMap(what: string): YAMLMap {
    const root = this.doc.contents;
    if (root === null || (isScalar(root) && (root.value === null || root.value === undefined))) {
      const map = new YAMLMap();
      this.doc.contents = map as unknown as typeof this.doc.contents;
      this.markStructural();
      return map;
    }
    if (!isMap(root)) throw new DomainError('StepFailed', `${what}: the document is not a mapping`);
    return root;
  }

  /** Sets an existing scalar node to `value`, keeping its quoting style when it still fits. */
  setScalar(node: Scalar, value: YamlScalarValue): void {
    const current = node.value as unknown;
    if (current === value || (current === undefined && value === null)) return;
    const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
    const { text, type } = scalarText(value, node.type);
    const range = node.range;
    node.value = value;
    if (!block) node.type = type;
    if (block || !range || range[0] === range[1]) {
      this.structural = true;
      return;
    }
    // Recorded even when the document will be re-serialized: the spliced source is what the
    // re-serialized lines get their original spacing back from.
    this.splices.push({ start: range[0], end: range[1], text });
  }

  /** The new file text (the original when nothing changed). */
  toString(): string {
    let spliced = this.source;
    for (const s of [...this.splices].sort((a, b) => b.start - a.start)) {
      spliced = spliced.slice(0, s.start) + s.text + spliced.slice(s.end);
    }
    if (!this.structural) return spliced;
    return restoreSpacing(spliced, this.doc.toString(detectFormat(this.source)));
  }
}

function pairKey(pair: Pair): string | undefined {
  const k = pair.key as unknown;
  if (isScalar(k)) return k.value === null || k.value === undefined ? undefined : String(k.value);
  if (typeof k === 'string' || typeof k === 'number') return String(k);
  return undefined;
}

/** The pair of `map` whose key is `key` (compared as strings). */
export function findPair(map: YAMLMap, key: string): Pair | undefined {
  return (map.items as Pair[]).find((p) => pairKey(p) === key);
}

/**
 * Sets the scalar at `segments` (see {@link parseKeyPath}) to `value`. Missing mapping keys are
 * created (as mappings on the way); list indexes must exist, or equal the length to append.
 */
export function setPath(file: YamlFile, segments: string[], value: YamlScalarValue, what: string): void {
  const shown = segments.map((s) => s.replace(/\\/g, '\\\\').replace(/\./g, '\\.')).join('.');
  let node: unknown = file.rootMap(what);
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string;
    const last = i === segments.length - 1;
    if (isAlias(node)) throw new DomainError('StepFailed', `${what}: key ${shown} goes through an alias`);
    if (isMap(node)) {
      const pair = findPair(node, seg);
      if (!pair) {
        file.markStructural();
        if (last) {
          node.add(file.doc.createPair(seg, value));
          return;
        }
        const child = new YAMLMap();
        node.add(file.doc.createPair(seg, child));
        node = child;
        continue;
      }
      if (last) {
        setValueOfPair(file, pair, value);
        return;
      }
      if (pair.value === null || (isScalar(pair.value) && (pair.value.value === null || pair.value.value === undefined))) {
        file.markStructural();
        const child = new YAMLMap();
        pair.value = child;
        node = child;
        continue;
      }
      node = pair.value;
    } else if (isSeq(node)) {
      if (!/^\d+$/.test(seg)) {
        throw new DomainError('StepFailed', `${what}: key ${shown}: ${JSON.stringify(seg)} is not a list index`);
      }
      const index = Number(seg);
      const items = (node as YAMLSeq).items;
      if (index > items.length) {
        throw new DomainError('StepFailed', `${what}: key ${shown}: index ${index} is out of range (${items.length} items)`);
      }
      if (index === items.length) {
        file.markStructural();
        if (last) {
          node.add(file.doc.createNode(value));
          return;
        }
        const child = new YAMLMap();
        node.add(child);
        node = child;
        continue;
      }
      const item = items[index];
      if (last) {
        if (isScalar(item)) file.setScalar(item, value);
        else {
          file.markStructural();
          items[index] = file.doc.createNode(value);
        }
        return;
      }
      node = item;
    } else {
      throw new DomainError(
        'StepFailed',
        `${what}: key ${shown}: ${segments.slice(0, i).join('.')} is a scalar, not a mapping or list`,
      );
    }
  }
}

/**
 * Sets the existing scalar at `segments` to `value`, as Kargo's yaml-update does
 * (pkg/yaml.findScalarNode): mapping keys are matched by their text, list items by index, and
 * a key that is not there, a list index out of range, or a path ending at a mapping or a list
 * is refused with Kargo's words. Nothing is created.
 */
export function setExistingScalar(file: YamlFile, key: string, segments: string[], value: YamlScalarValue, what: string): void {
  const notFound = (why = 'key path not found'): never => {
    throw new DomainError('StepFailed', `${what}: error finding key ${key}: ${why}`);
  };
  let node: unknown = file.doc.contents;
  let lastPair: Pair | undefined;
  for (const seg of segments) {
    lastPair = undefined;
    if (isMap(node)) {
      const pair = findPair(node, seg);
      if (!pair) return notFound();
      node = pair.value;
      lastPair = pair;
    } else if (isSeq(node)) {
      if (!/^[+-]?\d+$/.test(seg)) return notFound(`strconv.Atoi: parsing ${JSON.stringify(seg)}: invalid syntax`);
      const index = Number(seg);
      if (index < 0 || index >= node.items.length) return notFound(`index ${seg} is out of range (${node.items.length} items)`);
      node = node.items[index];
    } else {
      return notFound();
    }
  }
  if (node === null && lastPair) {
    setValueOfPair(file, lastPair, value);
    return;
  }
  if (!isScalar(node)) return notFound('key path does not address a scalar node');
  file.setScalar(node, value);
}

/** Sets the value of a mapping entry, keeping the scalar node (and its style) when it has one. */
export function setValueOfPair(file: YamlFile, pair: Pair, value: YamlScalarValue): void {
  const v = pair.value as unknown;
  if (isScalar(v)) {
    file.setScalar(v, value);
    return;
  }
  file.markStructural();
  pair.value = file.doc.createNode(value) as YamlNode;
}

export { isMap, isScalar, isSeq, YAMLMap, YAMLSeq, Scalar };
