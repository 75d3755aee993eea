/**
 * The api process (as `npm start` runs it, its stdout the launcher's) logs readable lines on a
 * terminal and JSON lines on a pipe. A pseudo-terminal comes from util-linux's `script`. The
 * process stops at once on a configuration error (access control without SHUNT_AUTH_CONFIG),
 * logged as its fatal line: no Temporal needed. Needs `npm run build`.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const server = join(root, 'dist', 'api', 'server.js');
const REASON = 'access control needs SHUNT_AUTH_CONFIG (a file of hashed tokens and roles), or SHUNT_AUTH_MODE=open to run without it';

/** Only what the api needs to reach its first log line; nothing of the test's own environment. */
const env = (extra: Record<string, string> = {}): Record<string, string> => ({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/nonexistent', TERM: 'xterm', TEMPORAL_ADDRESS: '127.0.0.1:1', SHUNT_PORT: '41290', ...extra });

function output(file: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    execFile(file, args, { env: env(extraEnv), timeout: 60_000 }, (err, stdout, stderr) => resolve({ stdout, stderr, code: err ? (typeof err.code === 'number' ? err.code : null) : 0 }));
  });
}

const onTerminal = (extraEnv?: Record<string, string>) => output('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(server)}`, '/dev/null'], extraEnv);
const onPipe = (extraEnv?: Record<string, string>) => output(process.execPath, [server], extraEnv);

describe('the form of the logs', () => {
  it('is one JSON object per line on a pipe', async () => {
    const { stdout } = await onPipe();
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 60, name: 'shunt-api', msg: REASON });
  });

  it('is a readable line on a terminal: time, level, name, message, no JSON', async () => {
    const { stdout } = await onTerminal();
    const plain = stdout.replace(/\u001b\[[0-9;]*m/g, '').replace(/\r/g, '').trim();
    expect(plain).toMatch(new RegExp(`^\\[\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] FATAL \\(shunt-api\\): ${REASON.replace(/[()]/g, '\\$&')}$`));
    expect(stdout).toContain('\u001b['); // coloured
  });

  it('is JSON on a terminal too with SHUNT_LOG_FORMAT=json', async () => {
    const { stdout } = await onTerminal({ SHUNT_LOG_FORMAT: 'json' });
    expect(JSON.parse(stdout.trim())).toMatchObject({ level: 60, msg: REASON });
  });

  it('a SHUNT_LOG_FORMAT it does not know is a configuration error: exit 78 (no restarts), saying what it takes', async () => {
    const { stderr, code } = await onPipe({ SHUNT_LOG_FORMAT: 'text' });
    expect(code).toBe(78);
    expect(stderr.trim()).toBe('config: SHUNT_LOG_FORMAT: expected "json" or "pretty" (default: pretty on a terminal, else json)');
  });
});
