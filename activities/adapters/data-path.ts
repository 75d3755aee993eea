/**
 * Setting a value at an sjson-style key path (`a.b.0.c`; `-1` appends to a list) in plain data,
 * for the `json-update` and `toml-update` steps. Missing mapping keys are created.
 */
import { DomainError } from '../../core/errors.js';
import { isRecord } from '../../core/record.js';

/** A mapping to descend into: TOML dates are objects too, but leaves. */
function isTable(v: unknown): v is Record<string, unknown> {
  return isRecord(v) && !(v instanceof Date);
}

/** Sets `segments` in `root` (mutated); returns whether anything changed. */
export function setDataPath(root: Record<string, unknown>, segments: string[], value: unknown, what: string): boolean {
  let node: unknown = root;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string;
    const last = i === segments.length - 1;
    const shown = segments.slice(0, i + 1).join('.');
    if (Array.isArray(node)) {
      if (!/^(-1|\d+)$/.test(seg)) {
        throw new DomainError('StepFailed', `${what}: ${shown}: ${JSON.stringify(seg)} is not a list index`);
      }
      let index = seg === '-1' ? node.length : Number(seg);
      if (index > node.length) {
        throw new DomainError('StepFailed', `${what}: ${shown}: index ${index} is past the end of a list of ${node.length}`);
      }
      if (last) {
        if (index < node.length && JSON.stringify(node[index]) === JSON.stringify(value)) return false;
        node[index] = value;
        return true;
      }
      if (index === node.length) node.push({});
      if (!isTable(node[index]) && !Array.isArray(node[index])) node[index] = {};
      node = node[index];
      index = 0;
      continue;
    }
    if (!isTable(node)) {
      throw new DomainError('StepFailed', `${what}: ${segments.slice(0, i).join('.')} is a scalar, cannot set ${shown}`);
    }
    if (last) {
      if (Object.prototype.hasOwnProperty.call(node, seg) && JSON.stringify(node[seg]) === JSON.stringify(value)) return false;
      node[seg] = value;
      return true;
    }
    if (!Object.prototype.hasOwnProperty.call(node, seg) || node[seg] === null) node[seg] = {};
    node = node[seg];
  }
  return false;
}

/**
 * Kargo's key syntax for yaml-update and toml-update (pkg/sjson.SplitKey): parts separated by
 * dots; `\.` and `\:` escape; a leading `:` in a part marks a numeric-looking part as a mapping
 * key and is dropped; surrounding spaces are trimmed. Refuses what Kargo refuses, with its words.
 */
export function splitKargoKey(rawKey: string, what: string): string[] {
  const key = rawKey.trim();
  const fail = (why: string): never => {
    throw new DomainError('StepFailed', `${what}: error splitting key ${rawKey}: ${why}`);
  };
  if (key === '') fail('empty key');
  const parts: string[] = [];
  let current = '';
  let escaped = false;
  for (const char of key) {
    if (escaped) {
      if (char !== '.' && char !== ':') fail(`invalid escape sequence in key ${JSON.stringify(key)}`);
      current += char;
      escaped = false;
    } else if (char === '\\') escaped = true;
    else if (char === '.') {
      if (current === '') fail(`empty key part in key ${JSON.stringify(key)}`);
      parts.push(current);
      current = '';
    } else if (char === ':') {
      if (current !== '') fail(`unexpected colon in key ${JSON.stringify(key)}`);
    } else current += char;
  }
  if (current === '') fail(`empty key part in key ${JSON.stringify(key)}`);
  parts.push(current);
  return parts;
}
