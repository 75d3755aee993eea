/**
 * The data directory holds git mirrors (with their history and remote URLs), promotion
 * workspaces (rendered manifests, downloaded files), credentials files and the embedded
 * Temporal server's database: nobody but the user Shunt runs as may read it. It is created
 * 0700 and tightened at every start; files inside it that hold something sensitive are 0600.
 * Processes that write there also run with umask 077 (see {@link restrictUmask}).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sha1Hex } from '../../core/hash.js';
import { processAlive } from './process-alive.js';

/** Entries of the data directory tightened at start when they exist: directories 0700, files 0600. */
const SENSITIVE = ['git', 'work', 'credentials', 'temporal.db', 'temporal.db-wal', 'temporal.db-shm', 'temporal.pid'];

function tighten(p: string, problems: string[]): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch {
    return;
  }
  if (st.isSymbolicLink()) return;
  const want = st.isDirectory() ? 0o700 : 0o600;
  if ((st.mode & 0o777) === want || (st.mode & 0o077) === 0) return;
  try {
    fs.chmodSync(p, want);
  } catch (err) {
    problems.push(`cannot restrict ${p} to ${want.toString(8)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/**
 * Creates `dataDir` 0700 (or tightens it to 0700), and its sensitive entries as above. Returns
 * what could not be tightened (e.g. a volume owned by another user), for the caller to log.
 */
export function preparePrivateDataDir(dataDir: string): string[] {
  const problems: string[] = [];
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const st = fs.statSync(dataDir);
  if ((st.mode & 0o777) !== 0o700) {
    try {
      fs.chmodSync(dataDir, 0o700);
    } catch (err) {
      problems.push(`cannot restrict ${dataDir} to 700: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  for (const name of SENSITIVE) tighten(path.join(dataDir, name), problems);
  return problems;
}

/** New files and directories of this process (and its children) are private to its user. */
export function restrictUmask(): void {
  process.umask(0o077);
}

/**
 * Runs `fn` with a fresh directory (0700) under `parent` (created 0700 if missing) for files that
 * hold secrets for the length of one operation (an SSH key, a signing key); the directory and
 * everything in it is removed afterwards, whatever `fn` does.
 */
export async function withPrivateTempDir<T>(parent: string, fn: (dir: string) => Promise<T>): Promise<T> {
  await fs.promises.mkdir(parent, { recursive: true, mode: 0o700 });
  const dir = await fs.promises.mkdtemp(path.join(parent, opDirPrefix(HOST_TAG, process.pid)));
  await fs.promises.chmod(dir, 0o700);
  try {
    return await fn(dir);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/** Writes `content` to a new file readable by this user only (0600); fails if the file exists. */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  await fs.promises.writeFile(file, content, { mode: 0o600, flag: 'wx' });
}

/** A short tag of this host, so that processes on other hosts sharing the data dir are told apart. */
const HOST_TAG = sha1Hex(os.hostname()).slice(0, 8);

/** `op-<host tag>-<pid>-`: who made an operation's directory, for the clean-up of a dead process's. */
function opDirPrefix(host: string, pid: number): string {
  return `op-${host}-${pid}-`;
}

const OP_DIR = /^op-([0-9a-f]{8})-(\d+)-[A-Za-z0-9]{6}$/;
/** An operation's directory older than this is a leftover whoever made it: no git command lasts a day. */
export const OP_DIR_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * At a worker's start, before it runs anything: removes the operation directories under `parent`
 * (which may hold an SSH or signing key) that a process killed mid-operation left. Those of this
 * host whose process is gone, or has this process's pid (a container started again), go; those of
 * another host (a shared volume) only once a day old. Returns the names removed.
 */
export async function removeLeftoverPrivateDirs(parent: string, opts: { nowMs?: number; pid?: number } = {}): Promise<string[]> {
  const nowMs = opts.nowMs ?? Date.now();
  const selfPid = opts.pid ?? process.pid;
  let entries: string[];
  try {
    entries = await fs.promises.readdir(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of entries) {
    const m = OP_DIR.exec(name);
    let leftover: boolean;
    if (m && m[1] === HOST_TAG) {
      const pid = Number(m[2]);
      leftover = pid === selfPid || !processAlive(pid);
    } else {
      // Another host's, or named before directories recorded their maker: by age only.
      const st = await fs.promises.lstat(path.join(parent, name)).catch(() => undefined);
      leftover = st !== undefined && name.startsWith('op-') && nowMs - st.mtimeMs > OP_DIR_MAX_AGE_MS;
    }
    if (!leftover) continue;
    await fs.promises.rm(path.join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
