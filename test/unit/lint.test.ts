/**
 * The architecture's fences (eslint.config.js): core/ and workflows/ stay deterministic, nothing
 * floats a promise, nothing imports worker/ or launcher/, no import cycle. .ci/run lints the whole project
 * (`npm run lint`) and type-checks it (`npm run typecheck`); these probes show each fence fires,
 * so a broken config cannot pass as a clean project.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The rule ids ESLint fires on each probe, linted as if it were its file, all in one ESLint run. */
function rulesFired(probes: { asFile: string; source: string }[]): Promise<(string | null)[][]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['test/support/lint-probes.mjs'],
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
      (err, out, errOut) => {
        if (out.trim().startsWith('[')) resolve(JSON.parse(out) as (string | null)[][]);
        else reject(new Error(`eslint did not run: ${String(err)} ${errOut}`));
      },
    );
    child.stdin?.end(JSON.stringify(probes));
  });
}

const PROBES: [asFile: string, source: string, rule: string][] = [
  ['core/ulid.ts', "import { readFileSync } from 'node:fs';\nexport const x = String(readFileSync);\n", 'no-restricted-imports'],
  ['core/ulid.ts', 'export const x = Date.now() + Math.random();\n', 'no-restricted-properties'],
  ['workflows/cluster.ts', "import { Connection } from '@temporalio/client';\nexport const x = Connection;\n", 'no-restricted-imports'],
  ['workflows/cluster.ts', "import { createActivities } from '../activities/index.js';\nexport const x = createActivities;\n", 'no-restricted-imports'],
  ['api/app.ts', "import { loadWorkerConfig } from '../worker/config.js';\nexport const x = loadWorkerConfig;\n", 'no-restricted-imports'],
  ['api/app.ts', 'async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n', '@typescript-eslint/no-floating-promises'],
  // User patterns run on RE2 (core/regex.ts), never on a RegExp built at run time (issue 13, ReDoS).
  ['activities/adapters/credential-match.ts', 'export const f = (p: string): RegExp => new RegExp(p);\n', 'no-restricted-syntax'],
  ['core/warehouse/tag-filters.ts', 'export const f = (s: string, p: string): boolean => s.search(p) >= 0;\n', 'no-restricted-syntax'],
  ['api/app.ts', 'export const f = (s: string, p: string): unknown => s.match(p);\n', 'no-restricted-syntax'],
  // core/manifests/files.ts imports DomainError from core/errors.ts: importing it back closes a cycle.
  ['core/errors.ts', "import * as files from './manifests/files.js';\nexport const x = files;\n", 'import-x/no-cycle'],
];

describe('eslint', () => {
  let fired: (string | null)[][] = [];
  beforeAll(async () => {
    fired = await rulesFired(PROBES.map(([asFile, source]) => ({ asFile, source })));
  }, 600_000);

  it.each(PROBES.map((probe, i) => [...probe, i] as const))('refuses in %s: %s', (_asFile, _source, rule, i) => {
    expect(fired[i]).toContain(rule);
  });
});
