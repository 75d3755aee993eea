import { describe, expect, it } from '@jest/globals';
import { shunt as runShunt, type CliResult } from '../../support/cli.js';

/** Argument handling that never reaches the api: a fetch that fails the test if called. */
const shunt = (argv: string[]): Promise<CliResult> =>
  runShunt(argv, {
    fetch: () => {
      throw new Error('the api must not be called');
    },
  });

describe('shunt argument handling', () => {
  it.each([
    [['promote', '--stage', 'prod', '--freight', 'x'], "error: required option '--project <name>' not specified\n"],
    [['delete', 'stage'], "error: missing required argument 'name'\n"],
    [['get'], "error: missing required argument 'kind'\n"],
    [['frobnicate'], "error: unknown command 'frobnicate'\n"],
    [['get', 'stages', '--bogus'], "error: unknown option '--bogus'\n"],
  ])('lets commander report %j with exit 1', async (argv, stderr) => {
    const result = await shunt(argv);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(stderr);
    expect(result.stdout).toBe('');
  });

  it('shows the help of a command with exit 0', async () => {
    const result = await shunt(['promote', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--freight <id|alias>');
    expect(result.stdout).toMatch(/default:\s+"10m"/);
  });

  it('documents the server default and never prints the token', async () => {
    const { stdout } = await runShunt(['--help'], { env: { SHUNT_TOKEN: 'sup3rsecret' } });
    expect(stdout).toMatch(/default:\s+"http:\/\/127\.0\.0\.1:8080"/);
    expect(stdout).not.toContain('sup3rsecret');
  });
});
