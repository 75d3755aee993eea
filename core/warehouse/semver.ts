/**
 * Semantic versions as Kargo's selectors read them (Masterminds/semver): an optional leading `v`;
 * strict mode wants MAJOR.MINOR.PATCH, loose mode accepts `1` and `1.2`. Constraints use
 * Masterminds' syntax (`^1.2`, `~1.2.3`, `>= 1.0, < 2.0`, `1.x`, `||`), evaluated with node-semver
 * after the commas (Masterminds' AND) become spaces (node-semver's AND).
 */
import { Range, SemVer } from 'semver';

const STRICT = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
const LOOSE = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** The version a tag names, or undefined when it is not one (in the chosen strictness). */
export function parseSemver(text: string, strict: boolean): SemVer | undefined {
  const m = (strict ? STRICT : LOOSE).exec(text);
  if (m === null) return undefined;
  const pre = m[4] ?? '';
  if (pre.split('.').some((id) => /^0\d+$/.test(id))) return undefined;
  const core = `${Number(m[1])}.${Number(m[2] ?? 0)}.${Number(m[3] ?? 0)}`;
  try {
    return new SemVer(`${core}${pre ? `-${pre}` : ''}${m[5] ? `+${m[5]}` : ''}`);
  } catch {
    return undefined;
  }
}

/** A parsed constraint; `undefined` input or `""` means "any version". */
export interface SemverConstraint {
  source: string;
  test(v: SemVer): boolean;
}

/**
 * Parses a Masterminds-style constraint.
 * @throws Error with a message naming the constraint when it does not parse.
 */
export function parseConstraint(source: string | undefined): SemverConstraint {
  const text = (source ?? '').trim();
  if (text === '') return { source: '', test: () => true };
  let range: Range;
  try {
    range = new Range(text.replace(/,/g, ' '), { loose: true });
  } catch {
    throw new Error(`invalid semver constraint ${JSON.stringify(text)}`);
  }
  if (range.set.length === 0) throw new Error(`invalid semver constraint ${JSON.stringify(text)}`);
  return { source: text, test: (v) => range.test(v) };
}

/** Newest first; equal versions (`v1.0.0` and `1.0.0`) by their text, greatest first. */
export function compareSemverDesc(a: { v: SemVer; text: string }, b: { v: SemVer; text: string }): number {
  const c = b.v.compare(a.v);
  if (c !== 0) return c;
  return a.text < b.text ? 1 : a.text > b.text ? -1 : 0;
}
