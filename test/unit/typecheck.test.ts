/** Every source and test file type-checks under the strict tsconfig (jest itself only transpiles). */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('tsc --noEmit', () => {
  it('reports no type errors', async () => {
    const output = await new Promise<string>((resolve) => {
      execFile(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'], { cwd: root, maxBuffer: 16 * 1024 * 1024 }, (_err, stdout, stderr) =>
        resolve(`${stdout}${stderr}`),
      );
    });
    expect(output.split('\n').filter((l) => /error TS\d+/.test(l))).toEqual([]);
  }, 180_000);
});
