/**
 * The architecture's fences (eslint.config.js) hold in CI: core/ and workflows/ stay
 * deterministic, nothing floats a promise, nothing imports worker/ or launcher/.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface LintResult {
  filePath: string;
  messages: { ruleId: string | null; severity: number; line: number; message: string }[];
}

describe('eslint', () => {
  it('reports no errors in the project', async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['node_modules/eslint/bin/eslint.js', '.', '-f', 'json'], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (err, out, errOut) => {
        if (out.trim().startsWith('[')) resolve(out);
        else reject(new Error(`eslint did not run: ${String(err)} ${errOut}`));
      });
    });
    const errors = (JSON.parse(stdout) as LintResult[]).flatMap((r) =>
      r.messages.filter((m) => m.severity === 2).map((m) => `${r.filePath.slice(root.length)}:${m.line} ${m.ruleId}: ${m.message}`),
    );
    expect(errors).toEqual([]);
  }, 180_000);
});
