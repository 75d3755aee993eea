/**
 * The suites build Kargo's manifests with the kit's builders (test/support/manifests.ts), not by
 * writing YAML text: a field renamed or made required is then one change in one place. A file may
 * keep YAML text only where the text itself is under test; it is listed below with the reason.
 * The unit suites are not checked: the parser's and core's tests read YAML text on purpose.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const CHECKED = ['test', 'bench'];
const UNCHECKED = ['test/unit', 'test/fixtures', 'bench/work'];

/** Files that keep Kargo YAML text, and why. */
const ALLOWED: Record<string, string> = {
  'test/api/apply.test.ts': 'the old field spelling semverConstraint, which the builder types refuse, gets a hint',
  'test/api/cli.test.ts': 'the old field spelling semverConstraint, which the builder types refuse, gets a hint',
  'test/activities/conformance.test.ts': 'promotion templates parsed from YAML as users write them',
  'test/realkube/argocd.test.ts': 'not converted yet: the real-kube suites need tools not built on every machine',
  'test/realkube/cluster.test.ts': 'not converted yet: the real-kube suites need tools not built on every machine',
};

/** A Kargo document's kind written as YAML (builders write `kind: 'Stage'`, quoted). */
const YAML_KIND = /\bkind: (Project|ProjectConfig|Warehouse|Stage|Freight|PromotionTask|ClusterPromotionTask)\b(?!['"])/;

function sources(dir: string): string[] {
  const rel = path.relative(root, dir);
  if (UNCHECKED.includes(rel) || !fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [path.relative(root, p)] : [];
  });
}

const files = CHECKED.flatMap((d) => sources(path.join(root, d))).filter((f) => f !== 'test/support/manifests.ts');

describe('the test kit is used by every suite', () => {
  it('finds the suites it checks', () => {
    expect(files).toEqual(expect.arrayContaining(['test/workflows/project.test.ts', 'test/api/apply-targets.test.ts', 'bench/project-reads.bench.ts']));
  });

  it('no suite, support module or bench writes a Kargo manifest as YAML text, except those allowed', () => {
    const offenders = files.filter((f) => !(f in ALLOWED) && YAML_KIND.test(fs.readFileSync(path.join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('each allowed file still needs its exception', () => {
    const stale = Object.keys(ALLOWED).filter((f) => !YAML_KIND.test(fs.readFileSync(path.join(root, f), 'utf8')));
    expect(stale).toEqual([]);
  });

  it('tells YAML text from a builder object', () => {
    expect(YAML_KIND.test('metadata: {name: x}\nkind: Stage\n')).toBe(true);
    expect(YAML_KIND.test('origin: {kind: Warehouse, name: app}')).toBe(true);
    expect(YAML_KIND.test("{ kind: 'Stage', metadata }")).toBe(false);
    expect(YAML_KIND.test('kind: List')).toBe(false);
  });
});
