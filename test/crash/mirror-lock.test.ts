/**
 * A worker killed outright while it held a git mirror's lock leaves the lock file behind; the
 * worker started in its place takes the lock over at once instead of waiting for it to go stale
 * (10 minutes), while a lock whose holder still runs is respected.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockHolderText, MirrorLocks } from '../../activities/adapters/git/mirror-locks.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shunt-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

describe('git mirror locks after a crash', () => {
  it('takes over a lock whose holder was killed', async () => {
    const lock = join(dir, 'mirror.lock');
    await writeFile(lock, lockHolderText(await deadPid()));
    // Lock timeout 1 s, stale after 10 min: only the dead holder lets this through.
    const locks = new MirrorLocks(1000, 10 * 60_000);
    await expect(locks.with(lock, async () => 'ran')).resolves.toBe('ran');
  });

  it('takes over a lock naming this very process (an earlier process with the same pid)', async () => {
    const lock = join(dir, 'mirror.lock');
    await writeFile(lock, lockHolderText(process.pid));
    await expect(new MirrorLocks(1000, 10 * 60_000).with(lock, async () => 'ran')).resolves.toBe('ran');
  });

  it('waits for a lock whose holder still runs, and says so when it gives up', async () => {
    const lock = join(dir, 'mirror.lock');
    await writeFile(lock, lockHolderText(process.ppid));
    await expect(new MirrorLocks(300, 10 * 60_000).with(lock, async () => 'ran')).rejects.toThrow(
      'git mirror is busy: lock mirror.lock held by another process',
    );
  });

  it('leaves a lock written on another host to the stale rule', async () => {
    const lock = join(dir, 'mirror.lock');
    await writeFile(lock, `${await deadPid()} ${new Date().toISOString()} some-other-host\n`);
    await expect(new MirrorLocks(300, 10 * 60_000).with(lock, async () => 'ran')).rejects.toThrow('git mirror is busy');
  });
});
