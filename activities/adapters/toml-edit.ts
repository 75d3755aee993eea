/**
 * Edits TOML text in place, line by line, so comments, key order and layout survive
 * (`toml-update`). A key is looked up under the longest table header that prefixes its path
 * (`[server]` + `port`, or the root + `server.port`); a missing key is added to the closest
 * table, or under a new table at the end. Anything the line editor cannot express (multi-line
 * values, inline tables, arrays of tables) falls back to re-serializing the parsed document.
 */
import { parse, stringify } from 'smol-toml';
import { DomainError } from '../../core/errors.js';
import { setDataPath } from './data-path.js';

export type TomlScalar = string | number | boolean;

const HEADER = /^\s*\[(?!\[)\s*([^\]]+?)\s*\]\s*(?:#.*)?$/;

/** `a."b.c".d` → ['a','b.c','d']. */
function splitDotted(text: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const s = text.trim();
  while (i < s.length) {
    while (s[i] === ' ' || s[i] === '\t') i++;
    let part = '';
    if (s[i] === '"' || s[i] === "'") {
      const q = s[i];
      const end = s.indexOf(q as string, i + 1);
      if (end < 0) return undefined;
      part = s.slice(i + 1, end);
      i = end + 1;
    } else {
      const m = /^[A-Za-z0-9_-]+/.exec(s.slice(i));
      if (!m) return undefined;
      part = m[0];
      i += part.length;
    }
    out.push(part);
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (i < s.length) {
      if (s[i] !== '.') return undefined;
      i++;
    }
  }
  return out;
}

function keyText(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

export function tomlValueText(value: TomlScalar, literalStyle = false): string {
  if (typeof value === 'string') {
    if (literalStyle && !/['\n\r]/.test(value)) return `'${value}'`;
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan';
    return String(value);
  }
  return value ? 'true' : 'false';
}

/** Where a simple one-line value ends (before a trailing comment), or undefined if not simple. */
function valueEnd(line: string, start: number): number | undefined {
  let i = start;
  while (line[i] === ' ' || line[i] === '\t') i++;
  const c = line[i];
  if (c === '"' || c === "'") {
    if (line.startsWith(c.repeat(3), i)) return undefined;
    let j = i + 1;
    while (j < line.length) {
      if (c === '"' && line[j] === '\\') {
        j += 2;
        continue;
      }
      if (line[j] === c) return j + 1;
      j++;
    }
    return undefined;
  }
  if (c === '[' || c === '{' || c === undefined) return undefined;
  const hash = line.indexOf('#', i);
  const end = hash < 0 ? line.length : hash;
  return line.slice(0, end).trimEnd().length;
}

interface Section {
  path: string[];
  /** Index of the header line (-1 for the root). */
  header: number;
  /** Index after the section's last line. */
  end: number;
}

function sections(lines: string[]): Section[] {
  const out: Section[] = [{ path: [], header: -1, end: lines.length }];
  lines.forEach((line, i) => {
    if (/^\s*\[\[/.test(line)) {
      (out[out.length - 1] as Section).end = i;
      out.push({ path: ['\0array-of-tables'], header: i, end: lines.length });
      return;
    }
    const m = HEADER.exec(line);
    if (!m?.[1]) return;
    (out[out.length - 1] as Section).end = i;
    out.push({ path: splitDotted(m[1]) ?? ['\0unparsed'], header: i, end: lines.length });
  });
  return out;
}

const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function getPath(doc: unknown, segments: string[]): unknown {
  let node = doc;
  for (const s of segments) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[s];
  }
  return node;
}

function lineEdit(text: string, segments: string[], value: TomlScalar): string | undefined {
  const lines = text.split('\n');
  const secs = sections(lines);
  for (let k = segments.length - 1; k >= 0; k--) {
    const table = segments.slice(0, k);
    const rest = segments.slice(k);
    for (const sec of secs.filter((s) => same(s.path, table))) {
      for (let i = sec.header + 1; i < sec.end; i++) {
        const line = lines[i] as string;
        const eq = line.indexOf('=');
        if (eq < 0 || /^\s*#/.test(line)) continue;
        const key = splitDotted(line.slice(0, eq));
        if (!key || !same(key, rest)) continue;
        const end = valueEnd(line, eq + 1);
        if (end === undefined) return undefined;
        let startVal = eq + 1;
        while (line[startVal] === ' ' || line[startVal] === '\t') startVal++;
        const literal = line[startVal] === "'";
        lines[i] = line.slice(0, startVal) + tomlValueText(value, literal) + line.slice(end);
        return lines.join('\n');
      }
    }
  }
  // Not found: add it to the deepest existing table on its path, or a new table at the end.
  for (let k = segments.length - 1; k >= 1; k--) {
    const sec = secs.find((s) => same(s.path, segments.slice(0, k)));
    if (!sec) continue;
    let at = sec.end;
    while (at - 1 > sec.header && (lines[at - 1] as string).trim() === '') at--;
    lines.splice(at, 0, `${segments.slice(k).map(keyText).join('.')} = ${tomlValueText(value)}`);
    return lines.join('\n');
  }
  const last = segments[segments.length - 1] as string;
  const entry = `${keyText(last)} = ${tomlValueText(value)}`;
  if (segments.length === 1) {
    const root = secs[0] as Section;
    let at = root.end;
    while (at > 0 && (lines[at - 1] as string).trim() === '') at--;
    lines.splice(at, 0, entry);
    return lines.join('\n');
  }
  const body = text.endsWith('\n') || text === '' ? text : `${text}\n`;
  const sep = body.trim() === '' ? '' : '\n';
  return `${body}${sep}[${segments.slice(0, -1).map(keyText).join('.')}]\n${entry}\n`;
}

/**
 * Sets each update in TOML `text`; returns the new text (the same string when nothing changed).
 * @throws DomainError('StepFailed') for text that is not TOML, a null value, or a path through a scalar.
 */
export function updateToml(text: string, updates: { segments: string[]; value: TomlScalar | null }[], what: string): string {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new DomainError('StepFailed', `${what} is not valid TOML: ${(err as Error).message.split('\n')[0]}`);
  }
  let out = text;
  for (const u of updates) {
    if (u.value === null) throw new DomainError('StepFailed', `${what}: ${u.segments.join('.')}: TOML has no null value`);
    const value = u.value;
    const expected = structuredClone(doc);
    const changed = setDataPath(expected, u.segments, value, what);
    if (!changed) continue;
    const edited = lineEdit(out, u.segments, value);
    let ok = false;
    if (edited !== undefined) {
      try {
        ok = JSON.stringify(getPath(parse(edited), u.segments)) === JSON.stringify(value);
        if (ok) out = edited;
      } catch {
        ok = false;
      }
    }
    if (!ok) out = stringify(expected);
    doc = expected;
  }
  return out;
}
