/**
 * Masterminds/semver semantics, case by case. Cases marked MM come from Masterminds' own
 * constraints_test.go (TestConstraintsCheck, TestNewConstraint, v3.5.0) and version_test.go;
 * cases marked K from Kargo's tests (pkg/controller/semver/parser_test.go,
 * pkg/image/semver_selector_test.go); cases marked #17 are the differences issue 17 reported
 * (node-semver's answers were the wrong ones).
 */
import {
  newConstraint,
  newestFirst,
  newVersion,
  parseChartVersion,
  parseTag,
  SemverError,
  strictNewVersion,
  subscriptionConstraint,
} from '../../../core/semver/index.js';

const check = (constraint: string, version: string): boolean => newConstraint(constraint).check(newVersion(version));

describe('newConstraint(...).check', () => {
  it.each<[string, string, boolean, string]>([
    // #17: node-semver read `>1.2` as `>=1.3.0`; Masterminds as "a minor above 2" too, but
    // `>1.2.0` (all parts given) admits 1.2.5.
    ['>1.2', '1.2.5', false, '#17'],
    ['>1.2', '1.3.0', true, '#17'],
    ['>1.2.0', '1.2.5', true, '#17'],
    // #17: `!=1.5` was silently dropped from the comma/space mix; in Masterminds it excludes
    // every 1.5.z (a missing part is a wildcard).
    ['>=1.2 <2, !=1.5', '1.5.0', false, '#17'],
    ['>=1.2 <2, !=1.5', '1.5.1', false, '#17'],
    ['>=1.2 <2, !=1.5.0', '1.5.1', true, '#17'],
    ['>=1.2 <2, !=1.5', '1.4.9', true, '#17'],
    // #17: a prerelease in the comparator opts its AND group into prereleases.
    ['1.2.x-0', '1.2.5-beta', true, '#17'],
    ['1.2.x', '1.2.5-beta', false, '#17'],
    ['*', '1.2.3', true, 'MM'],
    ['~0.0.0', '1.2.3', true, 'MM'],
    ['0.x.x', '1.2.3', false, 'MM'],
    ['^0.0.0', '1.2.3', false, 'MM'],
    ['= 2.0', '2.0.0', true, 'MM'],
    ['4.1', '4.1.0', true, 'MM'],
    ['1.x', '1.4', true, 'MM'],
    ['!=4.1-alpha', '4.1.0-alpha', false, 'MM'],
    ['!=4.1-alpha', '4.1.1-alpha', false, 'MM'],
    ['!=4.x', '4.1.0', false, 'MM'],
    ['!=4.2.x', '4.2.3', false, 'MM'],
    ['>1.1', '1.1.0', false, 'MM'],
    ['<1.1', '1.1.1', false, 'MM'],
    ['<1.x', '1.1.1', false, 'MM'],
    ['<1.1.x', '1.0.500', true, 'MM'],
    ['>=1.1', '4.1.0-beta', false, 'MM'],
    ['<=1.1', '1.1.1', true, 'MM'],
    ['<=1.1-a', '0.1.0-alpha', true, 'MM'],
    ['<=1.1.x', '1.2.500', false, 'MM'],
    ['>1.1, <2', '1.2.1', true, 'MM'],
    ['>=1.1    <2    !=1.2.3', '1.2.3', false, 'MM'],
    ['>=1.1, <2, !=1.2.3 || > 3', '4.1.2', true, 'MM'],
    ['>=1.1, <2, !=1.2.3 || > 3', '3.1.2', false, 'MM'],
    ['>= 1.0.0  <= 2.0.0-beta', '1.0.1-beta', true, 'MM'],
    ['>= 1.0.0  <= 2.0.0-beta || > 3', '3.0.1-beta', false, 'MM'],
    ['>= 1.0.0  <= 2.0.0-beta != 1.0.1-beta || > 3', '1.0.1-beta', false, 'MM'],
    ['1.1 - 2', '1.1.1', true, 'MM'],
    ['1.5.0 - 4.5', '3.7.0', true, 'MM'],
    ['1.1-3', '4.3.2', false, 'MM'],
    ['^1.x', '1.1.1-beta1', false, 'MM'],
    ['^1.1.2-alpha', '1.2.1-beta1', true, 'MM'],
    ['^0.0.1', '0.3.1', false, 'MM'],
    ['~1', '1.4', true, 'MM'],
    ['~1.1-alpha', '1.1.1-beta', true, 'MM'],
    ['~1.1.1-beta', '1.1.1-alpha', false, 'MM'],
    ['~1.2.3', '1.3.2', false, 'MM'],
    ['1.0.0 - 2.0.0, <=2.0.0', '1.5.0', true, 'MM'],
    ['^v1.0.0', 'v1.5.0', true, 'K'],
    ['~>1.2', '1.2.9', true, 'operator ~>'],
    ['=>1.2', '1.2.0', true, 'operator =>'],
    ['=<1.2', '1.2.7', true, 'operator =<: <=1.2 admits every 1.2.z'],
    ['^0.2.3', '0.2.9', true, '^ below 1.0 keeps the minor'],
    ['^0.2.3', '0.3.0', false, '^ below 1.0 keeps the minor'],
  ])('%s with %s → %s (%s)', (constraint, version, expected) => {
    expect(check(constraint, version)).toBe(expected);
  });

  it.each<[string, string]>([
    ['>>>1.2', 'improper constraint: ">>>1.2"'],
    ['', 'improper constraint: ""'],
    [' ', 'improper constraint: " "'],
    ['>= bar', 'improper constraint: ">= bar"'],
    ['BAR >= 1.2.3', 'improper constraint: "BAR >= 1.2.3"'],
    ['12.3.4.1234', 'improper constraint: "12.3.4.1234"'],
    ['12.3.34~ 1.2.3', 'improper constraint: "12.3.34~ 1.2.3"'],
    ['v1.2.3-beta.01', 'constraint parser error'],
    ['1.2.3 || ', 'improper constraint: " "'],
    ['>=1.2;<1.5', 'improper constraint: ">=1.2;<1.5"'],
    [`${'>=1.0.0 '.repeat(70)}`, 'constraint string is too long (max 512 bytes)'],
    [Array(33).fill('1').join(' || '), 'too many constraint groups (max 32)'],
  ])('refuses %j: %s (MM)', (constraint, message) => {
    expect(() => newConstraint(constraint)).toThrow(new SemverError(message));
  });

  it('accepts comma and whitespace AND, and splits ORs (MM TestNewConstraint)', () => {
    for (const c of ['>= 1.1', '>40.50.60, < 50.70', '2.0', 'v2.3.5-20161202202307-sha.e8fc5e5', '>= 1.2.3 < 2.0 || => 3.0 < 4', '3 - 4 || => 3.0, < 4', '12.3.34 ~1.2.3']) {
      expect(() => newConstraint(c)).not.toThrow();
    }
  });

  it('reads whitespace as Go does: a tab or newline separates, a vertical tab does not', () => {
    expect(check('>= 1.0\t<2', '1.5.0')).toBe(true);
    expect(() => newConstraint('\v>=1')).toThrow('improper constraint');
  });
});

describe('versions', () => {
  it.each<[string, string | undefined, string]>([
    ['1.2.3', '1.2.3', 'MM'],
    ['v1.2.3', '1.2.3', 'MM'],
    ['1.2', '1.2.0', 'MM'],
    ['1', '1.0.0', 'K'],
    ['01.02.03', '1.2.3', 'MM: NewVersion coerces leading zeros'],
    ['1.2.3-beta.01', undefined, 'MM: numeric prerelease parts have no leading zeros'],
    ['V1.2.3', undefined, 'MM: only a lowercase v'],
    ['1.2.3.4', undefined, 'MM'],
    ['18446744073709551616.0.0', undefined, 'uint64 overflow'],
    ['9007199254740993.0.0', '9007199254740993.0.0', 'past 2^53 without rounding'],
  ])('newVersion(%j) → %s (%s)', (text, expected) => {
    if (expected === undefined) expect(() => newVersion(text)).toThrow(SemverError);
    else expect(newVersion(text).toString()).toBe(expected);
  });

  it('strictNewVersion wants all three parts and no v (MM TestStrictNewVersion)', () => {
    expect(strictNewVersion('1.2.3-rc.1+b.2').toString()).toBe('1.2.3-rc.1+b.2');
    for (const t of ['v1.2.3', '1.2', '01.2.3', '1.2.3-', '1.2.3+', '1.2.3-a..b', '']) expect(() => strictNewVersion(t)).toThrow(SemverError);
  });

  it('orders prereleases by identifiers, numbers below words (MM TestCompare)', () => {
    const sorted = ['1.0.0', '1.0.0-rc.1', '1.0.0-beta.11', '1.0.0-beta.2', '1.0.0-beta', '1.0.0-alpha.beta', '1.0.0-alpha.1', '1.0.0-alpha']
      .map((t) => newVersion(t))
      .sort((a, b) => a.compare(b))
      .map((v) => v.original);
    expect(sorted).toEqual(['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0']);
    expect(newVersion('1.2.3+a').compare(newVersion('1.2.3+b'))).toBe(0);
  });
});

describe("Kargo's readings", () => {
  it.each<[string, boolean, string | undefined]>([
    ['invalid', true, undefined],
    ['invalid', false, undefined],
    ['1', true, undefined],
    ['1', false, '1.0.0'],
    ['1.0.0', true, '1.0.0'],
    ['v1.0.0', true, '1.0.0'],
    ['v1.0', true, undefined],
    ['01.0.0', true, undefined],
    ['01.0.0', false, '1.0.0'],
  ])('parseTag(%j, strict %s) → %s (K parser_test.go, semver_selector_test.go)', (tag, strict, expected) => {
    const v = parseTag(tag, strict);
    expect(v?.toString()).toBe(expected);
    if (v !== undefined) expect(v.original).toBe(tag);
  });

  it('sorts newest first, ties by the original text (K semver_selector_test.go)', () => {
    const tags = ['5.0.0', '0.0.1', '0.2.1', '0.1.1', '1.1.1', '7.0.6', '1.0.0', '1.0.2'];
    expect(tags.map((t) => parseTag(t, true)!).sort(newestFirst).map((v) => v.original)).toEqual(['7.0.6', '5.0.0', '1.1.1', '1.0.2', '1.0.0', '0.2.1', '0.1.1', '0.0.1']);
    expect(['1.0', 'v1.0.0', '1.0.0'].map((t) => parseTag(t, false)!).sort(newestFirst).map((v) => v.original)).toEqual(['v1.0.0', '1.0.0', '1.0']);
  });

  it('reads an OCI chart tag strictly with _ as +, a classic index version loosely', () => {
    expect(parseChartVersion('1.2.3_build.1', true)?.original).toBe('1.2.3+build.1');
    expect(parseChartVersion('1.2', true)).toBeUndefined();
    expect(parseChartVersion('1.2', false)?.toString()).toBe('1.2.0');
  });

  it('treats an absent or empty subscription constraint as none and names a bad one', () => {
    expect(subscriptionConstraint(undefined)).toBeUndefined();
    expect(subscriptionConstraint('')).toBeUndefined();
    expect(() => subscriptionConstraint('>>>1.2')).toThrow('invalid semver constraint ">>>1.2": improper constraint: ">>>1.2"');
  });
});
