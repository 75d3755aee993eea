/**
 * Version constraints exactly as Masterminds/semver v3.5.0 (Kargo's library) parses and checks
 * them (`NewConstraint`, `Constraints.Check`):
 *
 * - operators `=` (or none), `!=`, `>`, `<`, `>=` / `=>`, `<=` / `=<`, `~` / `~>`, `^`;
 * - AND by comma or whitespace, OR by `||`, hyphen ranges `1.2 - 1.4` (→ `>= 1.2, <= 1.4`);
 * - `x`, `X` or `*` in any part, missing parts (`1.2`) act as wildcards: `>1.2` means "a minor
 *   above 2" (1.2.5 does not match), `<=1.2` allows every 1.2.z, `1.2` alone is `~1.2`;
 * - a prerelease version matches only if a comparator in its AND group carries a prerelease
 *   (`>=1.2.0-0`, `1.2.x-0`), and then it is compared by precedence;
 * - at most 512 bytes and 32 OR groups.
 *
 * The grammar is Masterminds' own regular expressions, run with RE2 (Go's engine) so they
 * tokenize exactly as in Go, in linear time.
 */
import { RE2JS } from 're2js';
import { comparePrerelease, goQuote, newVersion, SemverError, utf8Length, type Version } from './version.js';

/** Masterminds v3.5.0's MaxConstraintLen (bytes) and MaxConstraintGroups. */
export const MAX_CONSTRAINT_LENGTH = 512;
export const MAX_CONSTRAINT_GROUPS = 32;

const OPS = '=||!=|>|<|>=|=>|<=|=<|~|~>|\\^';
const CV =
  'v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?' +
  '(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?' +
  '(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?';

const CONSTRAINT = RE2JS.compile(`^\\s*(${OPS})\\s*(${CV})\\s*$`);
const RANGE = RE2JS.compile(`\\s*(${CV})\\s+-\\s+(${CV})\\s*`);
const FIND = RE2JS.compile(`(${OPS})\\s*(${CV})`);
const VALID = RE2JS.compile(`^(\\s*(${OPS})\\s*(${CV})\\s*)((?:\\s+|,\\s*)(${OPS})\\s*(${CV})\\s*)*$`);

type Op = '' | '=' | '!=' | '>' | '<' | '>=' | '=>' | '<=' | '=<' | '~' | '~>' | '^';

interface Comparator {
  op: Op;
  /** The version part as written (`1.x`), for messages. */
  orig: string;
  con: Version;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

/** A parsed constraint: `check` answers whether a version satisfies it. */
export interface Constraints {
  readonly source: string;
  check(v: Version): boolean;
}

const isX = (s: string): boolean => s === 'x' || s === 'X' || s === '*';

/** `1.0 - 2.0` → `>= 1.0, <= 2.0 `, each range in turn, as Masterminds' rewriteRange. */
function rewriteRange(text: string): string {
  let out = text;
  // RANGE is an RE2JS pattern (linear time), not a JS RegExp.
  // eslint-disable-next-line no-restricted-syntax
  for (const m of RANGE.matchAll(text)) {
    // Group 1 is the first version, group 11 the second (CV has 9 groups of its own).
    const replacement = `>= ${m[1] ?? ''}, <= ${m[11] ?? ''} `;
    const at = out.indexOf(m[0]);
    if (at >= 0) out = out.slice(0, at) + replacement + out.slice(at + m[0].length);
  }
  return out;
}

function parseComparator(text: string): Comparator {
  const m = CONSTRAINT.exec(text);
  if (m === null) throw new SemverError(`improper constraint: ${goQuote(text)}`);
  const g = (i: number): string => (m[i] as string | undefined) ?? '';
  const [major, minor, patch, pre] = [g(3), g(4), g(5), g(6)];
  let ver = g(2);
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(major) || major === '') {
    ver = `0.0.0${pre}`;
    dirty = true;
  } else if (isX(minor.slice(1)) || minor === '') {
    minorDirty = dirty = true;
    ver = `${major}.0.0${pre}`;
  } else if (isX(patch.slice(1)) || patch === '') {
    patchDirty = dirty = true;
    ver = `${major}${minor}.0${pre}`;
  }
  let con: Version;
  try {
    con = newVersion(ver);
  } catch {
    throw new SemverError('constraint parser error');
  }
  return { op: g(1) as Op, orig: g(2), con, dirty, minorDirty, patchDirty };
}

function tilde(v: Version, c: Comparator): boolean {
  if (v.lessThan(c.con)) return false;
  // ~0.0.0 accepts everything (>= 0.0.0).
  if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== c.con.major) return false;
  return v.minor === c.con.minor || c.minorDirty;
}

function caret(v: Version, c: Comparator): boolean {
  if (v.lessThan(c.con)) return false;
  if (c.con.major > 0n || c.minorDirty) return v.major === c.con.major;
  if (v.major > 0n) return false;
  if (c.con.minor > 0n || c.patchDirty) return v.minor === c.con.minor;
  if (v.minor > 0n) return false;
  return v.patch === c.con.patch;
}

function notEqual(v: Version, c: Comparator): boolean {
  if (c.dirty) {
    if (c.con.major !== v.major) return true;
    if (c.con.minor !== v.minor && !c.minorDirty) return true;
    if (c.minorDirty) return false;
    if (c.con.patch !== v.patch && !c.patchDirty) return true;
    if (c.patchDirty) {
      if (v.prerelease !== '' || c.con.prerelease !== '') {
        return comparePrerelease(v.prerelease, c.con.prerelease) !== 0;
      }
      return false;
    }
  }
  return !v.equal(c.con);
}

function greaterThan(v: Version, c: Comparator): boolean {
  if (!c.dirty) return v.compare(c.con) === 1;
  if (v.major > c.con.major) return true;
  if (v.major < c.con.major) return false;
  if (c.minorDirty) return false;
  if (c.patchDirty) return v.minor > c.con.minor;
  return v.compare(c.con) === 1;
}

function lessThanEqual(v: Version, c: Comparator): boolean {
  if (!c.dirty) return v.compare(c.con) <= 0;
  if (v.major > c.con.major) return false;
  return !(v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty);
}

function satisfies(v: Version, c: Comparator, includePre: boolean): boolean {
  if (v.prerelease !== '' && !includePre) return false;
  switch (c.op) {
    case '':
    case '=':
      return c.dirty ? tilde(v, c) : v.equal(c.con);
    case '!=':
      return notEqual(v, c);
    case '>':
      return greaterThan(v, c);
    case '<':
      return v.compare(c.con) < 0;
    case '>=':
    case '=>':
      return v.compare(c.con) >= 0;
    case '<=':
    case '=<':
      return lessThanEqual(v, c);
    case '~':
    case '~>':
      return tilde(v, c);
    case '^':
      return caret(v, c);
  }
}

/**
 * Masterminds' `NewConstraint`. Kargo never calls it with "" (an empty constraint there means
 * "any version"); Masterminds itself refuses "", and so does this.
 * @throws SemverError with Masterminds' message (`improper constraint: ">>>1.2"`).
 */
export function newConstraint(source: string): Constraints {
  if (utf8Length(source) > MAX_CONSTRAINT_LENGTH) throw new SemverError(`constraint string is too long (max ${MAX_CONSTRAINT_LENGTH} bytes)`);
  const ors = rewriteRange(source).split('||');
  if (ors.length > MAX_CONSTRAINT_GROUPS) throw new SemverError(`too many constraint groups (max ${MAX_CONSTRAINT_GROUPS})`);
  const groups = ors.map((segment) => {
    if (!VALID.testExact(segment)) throw new SemverError(`improper constraint: ${goQuote(segment)}`);
    // FIND is an RE2JS pattern (linear time), not a JS RegExp.
    // eslint-disable-next-line no-restricted-syntax
    const found = [...FIND.matchAll(segment)].map((m) => m[0]);
    const comparators = (found.length > 0 ? found : [segment]).map(parseComparator);
    return { comparators, includePre: comparators.some((c) => c.con.prerelease !== '') };
  });
  return {
    source,
    check: (v) => groups.some((g) => g.comparators.every((c) => satisfies(v, c, g.includePre))),
  };
}
