/**
 * Semantic versions exactly as Masterminds/semver v3.5.0 (Kargo's library) parses and orders
 * them: `newVersion` is its `NewVersion` (coercing: optional lowercase `v`, minor and patch may
 * be missing, leading zeros in the numbers allowed), `strictNewVersion` its `StrictNewVersion`
 * (MAJOR.MINOR.PATCH only, no `v`, no leading zeros). Numbers are uint64, kept as bigint.
 */

/** Why a version or constraint was refused; the message is Masterminds' own where it has one. */
export class SemverError extends Error {
  override readonly name = 'SemverError';
}

const UINT64_MAX = (1n << 64n) - 1n;
/** Masterminds v3.5.0's MaxVersionLen, in bytes. */
export const MAX_VERSION_LENGTH = 256;

export class Version {
  constructor(
    readonly major: bigint,
    readonly minor: bigint,
    readonly patch: bigint,
    /** Without the leading `-`. */
    readonly prerelease: string,
    /** Without the leading `+`. */
    readonly metadata: string,
    /** The text it was parsed from (`Original()`). */
    readonly original: string,
  ) {}

  /** `1.2.3-rc.1+b5`: no `v`, missing parts filled in (`String()`). */
  toString(): string {
    const pre = this.prerelease === '' ? '' : `-${this.prerelease}`;
    const meta = this.metadata === '' ? '' : `+${this.metadata}`;
    return `${this.major}.${this.minor}.${this.patch}${pre}${meta}`;
  }

  /** Precedence: -1, 0 or 1; metadata is ignored, a prerelease sorts before its release. */
  compare(o: Version): -1 | 0 | 1 {
    for (const [a, b] of [
      [this.major, o.major],
      [this.minor, o.minor],
      [this.patch, o.patch],
    ] as const) {
      if (a !== b) return a < b ? -1 : 1;
    }
    if (this.prerelease === o.prerelease) return 0;
    if (this.prerelease === '') return 1;
    if (o.prerelease === '') return -1;
    return comparePrerelease(this.prerelease, o.prerelease);
  }

  lessThan(o: Version): boolean {
    return this.compare(o) < 0;
  }

  equal(o: Version): boolean {
    return this.compare(o) === 0;
  }
}

/** The length Go's `len()` gives: UTF-8 bytes. */
export function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

const DIGITS = /^[0-9]*$/;
const IDENTIFIER = /^[0-9A-Za-z-]*$/;
const LOOSE = /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

/** strconv.ParseUint(s, 10, 64), as Masterminds calls it. */
function parseUint(s: string): bigint {
  if (s === '' || !DIGITS.test(s)) throw new SemverError(`error parsing version segment: strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n > UINT64_MAX) throw new SemverError(`error parsing version segment: strconv.ParseUint: parsing ${goQuote(s)}: value out of range`);
  return n;
}

/** Dot-separated identifiers of [0-9A-Za-z-], none empty, numeric ones without leading zeros. */
function validatePrerelease(p: string): void {
  for (const part of p.split('.')) {
    if (part === '') throw new SemverError('invalid prerelease string');
    if (DIGITS.test(part)) {
      if (part.length > 1 && part.startsWith('0')) throw new SemverError('version segment starts with 0');
    } else if (!IDENTIFIER.test(part)) throw new SemverError('invalid prerelease string');
  }
}

function validateMetadata(m: string): void {
  for (const part of m.split('.')) {
    if (part === '' || !IDENTIFIER.test(part)) throw new SemverError('invalid metadata string');
  }
}

/** Masterminds' `NewVersion` (with its default CoerceNewVersion = true). */
export function newVersion(text: string): Version {
  if (utf8Length(text) > MAX_VERSION_LENGTH) throw new SemverError(`version string is too long (max ${MAX_VERSION_LENGTH} bytes)`);
  const m = LOOSE.exec(text);
  if (m === null) throw new SemverError('invalid semantic version');
  const pre = m[5] ?? '';
  const meta = m[8] ?? '';
  const major = parseUint(m[1] ?? '');
  const minor = m[2] ? parseUint(m[2].slice(1)) : 0n;
  const patch = m[3] ? parseUint(m[3].slice(1)) : 0n;
  if (pre !== '') validatePrerelease(pre);
  if (meta !== '') validateMetadata(meta);
  return new Version(major, minor, patch, pre, meta, text);
}

/** Masterminds' `StrictNewVersion`: exactly MAJOR.MINOR.PATCH[-PRE][+META], no `v`. */
export function strictNewVersion(text: string): Version {
  if (text === '') throw new SemverError('version string empty');
  if (utf8Length(text) > MAX_VERSION_LENGTH) throw new SemverError(`version string is too long (max ${MAX_VERSION_LENGTH} bytes)`);
  const first = text.indexOf('.');
  const second = first < 0 ? -1 : text.indexOf('.', first + 1);
  if (second < 0) throw new SemverError('invalid semantic version');
  const parts = [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  let last = parts[2] ?? '';
  let meta = '';
  let pre = '';
  const plus = last.indexOf('+');
  if (plus >= 0) {
    meta = last.slice(plus + 1);
    last = last.slice(0, plus);
    validateMetadata(meta);
  }
  const dash = last.indexOf('-');
  if (dash >= 0) {
    pre = last.slice(dash + 1);
    last = last.slice(0, dash);
    validatePrerelease(pre);
  }
  parts[2] = last;
  for (const p of parts) {
    if (!DIGITS.test(p)) throw new SemverError('invalid characters in version');
    if (p.length > 1 && p.startsWith('0')) throw new SemverError('version segment starts with 0');
  }
  const [major, minor, patch] = parts.map(parseUint) as [bigint, bigint, bigint];
  return new Version(major, minor, patch, pre, meta, text);
}

/** Parses or answers undefined; `strict` picks StrictNewVersion over NewVersion. */
export function tryVersion(text: string, strict = false): Version | undefined {
  try {
    return strict ? strictNewVersion(text) : newVersion(text);
  } catch (e) {
    if (e instanceof SemverError) return undefined;
    throw e;
  }
}

/** A numeric identifier is one ParseUint accepts; numbers sort before words. */
function comparePrePart(s: string, o: string): -1 | 0 | 1 {
  if (s === o) return 0;
  if (s === '') return -1;
  if (o === '') return 1;
  const sn = asUint(s);
  const on = asUint(o);
  if (sn === undefined && on === undefined) return s > o ? 1 : -1;
  if (on === undefined) return -1;
  if (sn === undefined) return 1;
  return sn > on ? 1 : -1;
}

function asUint(s: string): bigint | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n > UINT64_MAX ? undefined : n;
}

export function comparePrerelease(a: string, b: string): -1 | 0 | 1 {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = comparePrePart(pa[i] ?? '', pb[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

const GO_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };
const GO_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's `%q` (strconv.Quote), as Masterminds' messages quote a constraint. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    const escape = GO_ESCAPES[ch];
    if (escape !== undefined) out += escape;
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c < 0x7f || GO_PRINTABLE.test(ch)) out += ch;
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}
