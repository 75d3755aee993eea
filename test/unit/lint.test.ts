/**
 * The architecture's fences (eslint.config.js): core/ and workflows/ stay deterministic, nothing
 * floats a promise, nothing imports worker/ or launcher/, no import cycle. .ci/run lints the whole project
 * (`npm run lint`) and type-checks it (`npm run typecheck`); these probes show each fence fires,
 * so a broken config cannot pass as a clean project.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface LintResult {
  filePath: string;
  messages: { ruleId: string | null; severity: number; line: number; message: string }[];
}

/** ESLint's JSON results for the project, or for `source` linted as if it were file `asFile`. */
function lint(args: string[], source?: string): Promise<LintResult[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['node_modules/eslint/bin/eslint.js', ...args, '-f', 'json'],
      { cwd: root, maxBuffer: 64 * 1024 * 1024 },
      (err, out, errOut) => {
        if (out.trim().startsWith('[')) resolve(JSON.parse(out) as LintResult[]);
        else reject(new Error(`eslint did not run: ${String(err)} ${errOut}`));
      },
    );
    if (source !== undefined) child.stdin?.end(source);
  });
}

const rulesFired = async (asFile: string, source: string): Promise<(string | null)[]> =>
  (await lint(['--stdin', '--stdin-filename', asFile], source)).flatMap((r) => r.messages.map((m) => m.ruleId));

describe('eslint', () => {
  it.each([
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
  ])('refuses in %s: %s', async (asFile, source, rule) => {
    expect(await rulesFired(asFile, source)).toContain(rule);
  }, 60_000);
});
