/**
 * core/semver against Masterminds/semver v3.5.0 itself: test/fixtures/semver holds what the Go
 * library answered for every constraint and version of its own tests plus edge cases (see the
 * README there). Every answer must be the same: accepted or refused (with the same message),
 * and Check's verdict on every version.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { newConstraint, newVersion, parseTag, strictNewVersion, type Version } from '../../../core/semver/index.js';

interface Golden {
  source: string;
  checkVersions: string[];
  constraints: { constraint: string; error?: string; checks?: string }[];
  versions: { text: string; loose?: string; looseError?: string; strict?: string; strictError?: string; kargoStrictTag: boolean }[];
  ascending: string[];
}

const golden = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../fixtures/semver/masterminds-v3.5.0.json', import.meta.url)), 'utf8'),
) as Golden;

const outcome = (f: () => Version): { value?: string; error?: string } => {
  try {
    return { value: f().toString() };
  } catch (e) {
    return { error: (e as Error).message };
  }
};

describe('core/semver against Masterminds/semver v3.5.0', () => {
  const versions = golden.checkVersions.map((t) => newVersion(t));

  it('covers a large table', () => {
    expect(golden.source).toBe('github.com/Masterminds/semver/v3 v3.5.0');
    expect(golden.constraints.length).toBeGreaterThan(200);
    expect(golden.versions.length).toBeGreaterThan(150);
  });

  it.each(golden.constraints.map((c) => [JSON.stringify(c.constraint), c] as const))('constraint %s', (_label, c) => {
    if (c.error !== undefined) {
      expect(() => newConstraint(c.constraint)).toThrow(c.error);
      return;
    }
    const parsed = newConstraint(c.constraint);
    const checks = versions.map((v) => (parsed.check(v) ? '1' : '0')).join('');
    // On a mismatch, name the versions that differ rather than two long bit strings.
    const differing = golden.checkVersions.filter((_t, i) => checks[i] !== c.checks?.[i]);
    expect(differing).toEqual([]);
  });

  it.each(golden.versions.map((v) => [JSON.stringify(v.text), v] as const))('version %s', (_label, v) => {
    expect(outcome(() => newVersion(v.text))).toEqual(v.looseError !== undefined ? { error: v.looseError } : { value: v.loose });
    const strict = outcome(() => strictNewVersion(v.text));
    if (v.strictError !== undefined) expect(strict.error).toBeDefined();
    else expect(strict).toEqual({ value: v.strict });
    expect(parseTag(v.text, true) !== undefined).toBe(v.kargoStrictTag);
  });

  it('orders versions as Compare does', () => {
    const ascending = golden.checkVersions
      .map((t, i) => ({ v: newVersion(t), i }))
      .sort((a, b) => a.v.compare(b.v) || a.i - b.i)
      .map((e) => e.v.original);
    expect(ascending).toEqual(golden.ascending);
  });
});
