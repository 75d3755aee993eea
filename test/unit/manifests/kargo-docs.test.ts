/**
 * The manifests of Kargo's documentation that Kargo's own CRD schemas accept (collected into
 * test/fixtures/kargo-docs by its collect.py) apply in Shunt too, except the known differences
 * listed here with their reasons. A fixed difference or a new failure both fail this test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatIssue, parseManifests } from '../../../core/manifests/index.js';

const DIR = fileURLToPath(new URL('../../fixtures/kargo-docs/manifests/', import.meta.url));
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

interface KnownDifference {
  why: string;
  /** What Shunt's refusal says. */
  issue: string;
}

/** Fixture → why Shunt refuses it (each a deliberate or not-yet-built difference). */
const KNOWN_DIFFERENCES: Record<string, KnownDifference> = {};

/** Fixture → the apply-time hint that says how Shunt deliberately differs (the apply succeeds). */
const HINTED_DIFFERENCES: Record<string, string> = {
  '40-operator-guide--20-advanced-installation--30-common-configurations--L329.yaml': "gitClient is ignored: Shunt commits as each git-commit step's author",
};

function failures(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of FILES) {
    const r = parseManifests(readFileSync(`${DIR}${f}`, 'utf8'), f);
    if (r.issues.length > 0) out[f] = r.issues.map(formatIssue);
  }
  return out;
}

function hints(f: string): string[] {
  return parseManifests(readFileSync(`${DIR}${f}`, 'utf8'), f).hints;
}

describe("Kargo's documentation manifests", () => {
  it('has the collected fixtures, each naming its source', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(40);
    for (const f of FILES) expect(readFileSync(`${DIR}${f}`, 'utf8')).toMatch(/^# source: akuity\/kargo@[0-9a-f]{12} docs\/docs\/\S+\.mdx? line \d+\n/);
  });

  it('apply, except the known differences', () => {
    const failed = failures();
    const unexpected = Object.fromEntries(Object.entries(failed).filter(([f]) => KNOWN_DIFFERENCES[f] === undefined));
    expect(unexpected).toEqual({});
    const nowPassing = Object.keys(KNOWN_DIFFERENCES).filter((f) => failed[f] === undefined);
    expect(nowPassing).toEqual([]);
    for (const [f, known] of Object.entries(KNOWN_DIFFERENCES)) {
      expect(failed[f]?.some((issue) => issue.includes(known.issue))).toBe(true);
    }
  });

  it.each(Object.entries(HINTED_DIFFERENCES))('%s applies with a hint saying how Shunt differs', (f, hint) => {
    expect(FILES).toContain(f);
    expect(hints(f).some((h) => h.includes(hint))).toBe(true);
  });
});
