import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError } from '../../../core/errors.js';
import { processAlive } from '../process-alive.js';

/** Serializes work per key: in-process promise chain plus a lock file for other processes. */
export class MirrorLocks {
  private readonly tails = new Map<string, Promise<void>>();
  constructor(
    private readonly timeoutMs: number,
    private readonly staleMs: number,
  ) {}

  async with<T>(lockFile: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(lockFile) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(lockFile, tail);
    await prev;
    try {
      await this.acquireFile(lockFile);
      const refresher = setInterval(() => {
        const now = new Date();
        fs.utimes(lockFile, now, now, () => undefined);
      }, Math.max(1000, Math.floor(this.staleMs / 4)));
      refresher.unref();
      try {
        return await fn();
      } finally {
        clearInterval(refresher);
        await fs.promises.rm(lockFile, { force: true });
      }
    } finally {
      release();
      if (this.tails.get(lockFile) === tail) this.tails.delete(lockFile);
    }
  }

  private async acquireFile(lockFile: string): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    let delay = 25;
    for (;;) {
      try {
        const fh = await fs.promises.open(lockFile, 'wx');
        await fh.writeFile(lockHolderText(process.pid));
        await fh.close();
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      try {
        const st = await fs.promises.stat(lockFile);
        if (Date.now() - st.mtimeMs > this.staleMs || (await holderIsGone(lockFile))) {
          await fs.promises.rm(lockFile, { force: true });
          continue;
        }
      } catch {
        continue;
      }
      if (Date.now() > deadline) {
        throw new DomainError('Unavailable', `git mirror is busy: lock ${path.basename(lockFile)} held by another process`);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 500);
    }
  }
}

/** What a lock file says of its holder: its pid, when it took the lock, and its host (holderIsGone reads it). */
export function lockHolderText(pid: number): string {
  return `${pid} ${new Date().toISOString()} ${hostname()}\n`;
}

/**
 * Whether the process that wrote the lock file is gone: a worker killed outright (SIGKILL, OOM)
 * leaves its lock behind, and the worker started in its place must not wait for it to go stale.
 * Only for a lock written on this host; a lock naming this very process is a leftover of an
 * earlier process that had the same pid (the in-process chain never lets this one contend with
 * itself).
 */
async function holderIsGone(lockFile: string): Promise<boolean> {
  const [pidText, , host] = (await fs.promises.readFile(lockFile, 'utf8')).trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || host !== hostname()) return false;
  if (pid === process.pid) return true;
  return !processAlive(pid);
}
