/**
 * The patch formats the real API server accepts: JSON merge patch (RFC 7386), JSON patch
 * (RFC 6902) and, for built-in kinds only, strategic merge patch. Secrets have no list fields
 * with merge keys, so their strategic merge is a merge patch that also honours `$patch: delete`
 * and `$patch: replace` directives.
 */
type Json = unknown;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class PatchError extends Error {}

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch['$patch'] === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch['$patch'] === 'delete') return undefined;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch') continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    const merged = strategicMergePatch(out[k], v);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

function unescapeToken(t: string): string {
  return t.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer.slice(1).split('/').map(unescapeToken);
}

function getAt(doc: Json, tokens: string[]): Json {
  let cur: Json = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

function parentOf(doc: Json, tokens: string[], path: string): { parent: Record<string, unknown> | unknown[]; last: string } {
  const parent = getAt(doc, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1];
  if (last === undefined || !(isObject(parent) || Array.isArray(parent))) {
    throw new PatchError(`doc is missing path: ${path}`);
  }
  return { parent, last };
}

function addAt(doc: Json, path: string, value: Json): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return structuredClone(value);
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const idx = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) throw new PatchError(`index out of range: ${path}`);
    parent.splice(idx, 0, structuredClone(value));
  } else {
    parent[last] = structuredClone(value);
  }
  return doc;
}

function removeAt(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const idx = Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx >= parent.length) throw new PatchError(`index out of range: ${path}`);
    parent.splice(idx, 1);
  } else {
    if (!(last in parent)) throw new PatchError(`unable to remove nonexistent key: ${last}: missing value`);
    delete parent[last];
  }
  return doc;
}

export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') {
      throw new PatchError('each JSON patch operation needs "op" and "path"');
    }
    const { op, path } = raw as { op: string; path: string };
    switch (op) {
      case 'add':
        doc = addAt(doc, path, raw['value']);
        break;
      case 'remove':
        doc = removeAt(doc, path);
        break;
      case 'replace':
        if (getAt(doc, parsePointer(path)) === undefined) throw new PatchError(`doc is missing key: ${path}: missing value`);
        doc = removeAt(doc, path);
        doc = addAt(doc, path, raw['value']);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, parsePointer(path))) !== JSON.stringify(raw['value'])) {
          throw new PatchError(`testing value ${path} failed: test failed`);
        }
        break;
      case 'move':
      case 'copy': {
        const from = raw['from'];
        if (typeof from !== 'string') throw new PatchError(`${op} needs "from"`);
        const value = getAt(doc, parsePointer(from));
        if (value === undefined) throw new PatchError(`doc is missing from path: ${from}`);
        if (op === 'move') doc = removeAt(doc, from);
        doc = addAt(doc, path, value);
        break;
      }
      default:
        throw new PatchError(`unexpected kind of operation ${JSON.stringify(op)}`);
    }
  }
  return doc;
}
