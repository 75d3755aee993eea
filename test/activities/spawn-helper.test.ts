import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpawnHelper } from '../../activities/adapters/spawn-helper.js';

const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C' };

describe('the spawn helper', () => {
  const helper = new SpawnHelper();

  it('runs a program with its arguments as they are (no shell), its environment and input, and answers its exit code and output', async () => {
    const res = await helper.run({ file: 'sh', args: ['-c', 'printf "%s|%s|" "$1" "$GREETING"; cat; echo oops >&2; exit 3', 'sh', '$HOME; rm -rf /'], cwd: '/', env: { ...env, GREETING: 'hi' }, input: 'from stdin' });

    expect(res).toMatchObject({ code: 3, signal: null });
    expect(res.stdout.toString()).toBe('$HOME; rm -rf /|hi|from stdin');
    expect(res.stderr.toString()).toBe('oops\n');
  });

  it('gives back output byte for byte, binary and large', async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'shunt-spawn-'));
    const bytes = crypto.randomBytes(3 * 1024 * 1024);
    await fs.promises.writeFile(path.join(dir, 'blob'), bytes);
    try {
      const res = await helper.run({ file: 'cat', args: ['blob'], cwd: dir, env });

      expect(res.stdout.equals(bytes)).toBe(true);
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  });

  it('closes stdin at once when there is no input: a program reading it sees its end', async () => {
    const res = await helper.run({ file: 'cat', args: [], cwd: '/', env });

    expect(res).toMatchObject({ code: 0 });
    expect(res.stdout.length).toBe(0);
  });

  it('runs many at once', async () => {
    const all = await Promise.all(Array.from({ length: 40 }, (_, i) => helper.run({ file: 'echo', args: [String(i)], cwd: '/', env })));

    expect(all.map((r) => r.stdout.toString().trim())).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
  });

  it('kills the program when the signal aborts, and rejects with the reason', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const run = helper.run({ file: 'sleep', args: ['30'], cwd: '/', env, signal: abort.signal });
    setTimeout(() => abort.abort(new Error('activity cancelled')), 200);

    await expect(run).rejects.toMatchObject({ name: 'AbortError', message: 'activity cancelled' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('rejects a program that cannot start, and a working directory that does not exist, naming why', async () => {
    await expect(helper.run({ file: 'no-such-program-here', args: [], cwd: '/', env })).rejects.toThrow(/ENOENT/);
    await expect(helper.run({ file: 'true', args: [], cwd: '/no/such/dir', env })).rejects.toThrow(/ENOENT/);
  });

  it('kills a program that outlives its timeout, and answers the signal', async () => {
    const res = await helper.run({ file: 'sleep', args: ['30'], cwd: '/', env, timeoutMs: 200 });

    expect(res).toMatchObject({ code: null, signal: 'SIGKILL' });
  });

  it('answers a program killed by a signal with no exit code and the signal', async () => {
    const res = await helper.run({ file: 'sh', args: ['-c', 'kill -KILL $$'], cwd: '/', env });

    expect(res).toMatchObject({ code: null, signal: 'SIGKILL' });
  });

  it('rejects what was running when the helper itself dies, and starts a new helper for the next request', async () => {
    const running = helper.run({ file: 'sleep', args: ['30'], cwd: '/', env });
    const child = (helper as unknown as { child: { pid: number } }).child;
    process.kill(child.pid, 'SIGKILL');

    await expect(running).rejects.toThrow('the spawn helper exited');
    const res = await helper.run({ file: 'echo', args: ['again'], cwd: '/', env });
    expect(res.stdout.toString()).toBe('again\n');
    expect((helper as unknown as { child: { pid: number } }).child.pid).not.toBe(child.pid);
  });
});
