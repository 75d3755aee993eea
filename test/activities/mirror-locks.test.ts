import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MirrorLocks } from '../../activities/adapters/git/mirror-locks.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shunt-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

describe('MirrorLocks.together: callers waiting for a lock meanwhile share one turn of it', () => {
  it('runs them at once after the holder before them, their `alone` parts one at a time, and a holder queued after them waits for all', async () => {
    const lock = join(dir, 'mirror.lock');
    const locks = new MirrorLocks(5000, 10 * 60_000);
    const events: string[] = [];
    const first = gate();
    const holding = locks.with(lock, async () => {
      events.push('first holds');
      await first.opened;
      events.push('first done');
    });
    let running = 0;
    let mostRunning = 0;
    let aloneRunning = 0;
    let mostAlone = 0;
    const sharing = ['a', 'b', 'c'].map((name) =>
      locks.together(lock, async (alone) => {
        mostRunning = Math.max(mostRunning, ++running);
        expect(fs.existsSync(lock)).toBe(true);
        await alone(async () => {
          mostAlone = Math.max(mostAlone, ++aloneRunning);
          await new Promise((r) => setTimeout(r, 20));
          aloneRunning--;
        });
        await new Promise((r) => setTimeout(r, 30));
        running--;
        events.push(`${name} done`);
        return name;
      }),
    );
    // Queued after the three: waits for all of them.
    const after = locks.with(lock, async () => {
      events.push('after holds');
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual(['first holds']);
    first.open();

    await expect(Promise.all(sharing)).resolves.toEqual(['a', 'b', 'c']);
    await Promise.all([holding, after]);
    expect(mostRunning).toBe(3);
    expect(mostAlone).toBe(1);
    expect(events.indexOf('after holds')).toBe(events.length - 1);
    expect(events.slice(0, 2)).toEqual(['first holds', 'first done']);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('lets each caller go on once the lock file is gone; a caller that fails fails alone', async () => {
    const lock = join(dir, 'mirror.lock');
    const locks = new MirrorLocks(5000, 10 * 60_000);
    const first = gate();
    const holding = locks.with(lock, () => first.opened);
    const ok = locks.together(lock, async () => 'fine').then((v) => ({ v, lockLeft: fs.existsSync(lock) }));
    const failing = locks.together(lock, async () => {
      throw new Error('git refused');
    });
    first.open();
    await holding;
    await expect(ok).resolves.toEqual({ v: 'fine', lockLeft: false });
    await expect(failing).rejects.toThrow('git refused');
  });

  it('fails every caller of a turn whose lock is not had in time', async () => {
    const lock = join(dir, 'mirror.lock');
    // Held by another live process of this host: respected until the timeout.
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    fs.writeFileSync(lock, `${holder.pid} ${new Date().toISOString()} ${hostname()}\n`);
    const locks = new MirrorLocks(200, 10 * 60_000);
    const results = await Promise.allSettled([locks.together(lock, async () => 'a'), locks.together(lock, async () => 'b')]).finally(() => holder.kill());
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toContain('git mirror is busy');
  });
});
