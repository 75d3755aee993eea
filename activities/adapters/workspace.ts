/**
 * A promotion's workspace: the one directory its steps share on one worker. Every path a step
 * touches goes through {@link Workspace.resolve}, which refuses absolute paths, `..` escapes and
 * symlinks that lead out of the workspace (DESIGN.md: "a step path that escapes the promotion's
 * workspace is refused").
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DomainError } from '../../core/errors.js';
import { checkoutWrites } from './checkout-writes.js';
import { isInside } from './path-inside.js';
import { processAlive } from './process-alive.js';

/** Thrown (as a DomainError with code `PathEscape`) for any path leaving the workspace. */
function escapeError(relPath: string): DomainError {
  return new DomainError('PathEscape', `path ${JSON.stringify(relPath)} escapes the promotion workspace`);
}

/** Whether a relative path has a `.git` component, in any letter case (case-insensitive file systems). */
export function hasGitComponent(relPath: string): boolean {
  return relPath.split(/[\\/]+/).some((part) => part.toLowerCase() === '.git');
}

function gitPathError(relPath: string): DomainError {
  return new DomainError(
    'PathEscape',
    `path ${JSON.stringify(relPath)} is inside a .git directory: steps may not write git metadata (git-clone makes checkouts)`,
  );
}

export class Workspace {
  /** Absolute path of the workspace directory (as created, not symlink-resolved). */
  readonly root: string;
  private realRootCache: string | undefined;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private realRoot(): string {
    if (this.realRootCache === undefined) this.realRootCache = fs.realpathSync(this.root);
    return this.realRootCache;
  }

  /**
   * The absolute path of `relPath` inside the workspace. `''` and `'.'` are the root itself.
   *
   * @throws DomainError('PathEscape') when `relPath` is absolute, climbs out with `..`, or
   *   passes through a symlink whose target lies outside the workspace (checked on the real
   *   path of the deepest ancestor that exists).
   */
  resolve(relPath: string): string {
    if (typeof relPath !== 'string' || relPath.includes('\0')) throw escapeError(String(relPath));
    if (path.isAbsolute(relPath) || path.win32.isAbsolute(relPath)) throw escapeError(relPath);
    const target = path.resolve(this.root, relPath);
    if (!isInside(this.root, target)) throw escapeError(relPath);

    // Symlinks: the deepest existing ancestor (or the target itself) must really be inside.
    let existing = target;
    for (;;) {
      try {
        fs.lstatSync(existing);
        break;
      } catch {
        const parent = path.dirname(existing);
        if (parent === existing) break;
        existing = parent;
      }
    }
    let real: string;
    try {
      real = fs.realpathSync(existing);
    } catch {
      // A dangling symlink: where it points cannot be checked, so it is refused.
      throw escapeError(relPath);
    }
    if (!isInside(this.realRoot(), real)) throw escapeError(relPath);
    return target;
  }

  /**
   * The absolute path of `relPath` for a step that creates, changes, moves, extracts into or
   * deletes it: {@link resolve}'s checks, and no `.git` component (any case) in the path as
   * written nor in its real path (a symlink into a `.git` directory). Every write of a step goes
   * through here (see step-files.ts): a planted `.git` directory would let git run its config's
   * commands (`core.fsmonitor`, hooks) in a later git step. It is also how git-commit learns
   * where to stage (checkout-writes.ts).
   *
   * @throws DomainError('PathEscape')
   */
  resolveForWrite(relPath: string): string {
    const target = this.resolve(relPath);
    if (hasGitComponent(path.relative(this.root, target))) throw gitPathError(relPath);
    let existing = target;
    while (existing !== this.root && !fs.existsSync(existing)) existing = path.dirname(existing);
    let real: string;
    try {
      real = fs.realpathSync(existing);
    } catch {
      throw escapeError(relPath);
    }
    if (hasGitComponent(path.relative(this.realRoot(), real))) throw gitPathError(relPath);
    // Before the write: git-commit stages only where steps wrote (checkout-writes.ts).
    checkoutWrites.wrote(path.join(real, path.relative(existing, target)));
    return target;
  }

  /** The path of `absPath` relative to the workspace root, with `/` separators (for messages). */
  relative(absPath: string): string {
    const rel = path.relative(this.root, absPath);
    return rel === '' ? '.' : rel.split(path.sep).join('/');
  }
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

function workspaceDir(workRoot: string, key: string): string {
  if (!KEY_PATTERN.test(key) || key === '.' || key === '..') {
    throw new DomainError('BadRequest', `workspace key ${JSON.stringify(key)} is not a plain directory name`);
  }
  return path.join(path.resolve(workRoot), key);
}

/**
 * One run of a worker process: its worker id (stable across restarts on the same data dir) and
 * an id of this run. A workspace records the run that made it, so that the next run of the same
 * worker can tell its leftovers from the workspaces of other workers sharing the data dir.
 */
export interface WorkerRun {
  workerId: string;
  runId: string;
  host: string;
  pid: number;
  startedAt: string;
}

/** `<workRoot>/.worker-runs/<runId>.json`: a worker run's marker, refreshed while it lives. */
const RUNS_DIR = '.worker-runs';
/** `<workRoot>/.workspace-owners/<key>.json`: the run that made workspace `<key>`. */
const OWNERS_DIR = '.workspace-owners';
/** How often a live run refreshes its marker. */
export const RUN_MARKER_REFRESH_MS = 10_000;
/** A marker not refreshed for this long belongs to a run that is gone (a run on another host included). */
export const RUN_MARKER_STALE_MS = 30_000;

export function newWorkerRun(workerId: string): WorkerRun {
  return { workerId, runId: randomUUID(), host: os.hostname(), pid: process.pid, startedAt: new Date().toISOString() };
}

const runMarker = (workRoot: string, runId: string): string => path.join(path.resolve(workRoot), RUNS_DIR, `${runId}.json`);
const ownerFile = (workRoot: string, key: string): string => path.join(path.resolve(workRoot), OWNERS_DIR, `${key}.json`);

async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await fs.promises.writeFile(tmp, `${JSON.stringify(value)}\n`, { mode: 0o600 });
  await fs.promises.rename(tmp, file);
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await fs.promises.readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Marks `run` as live in `workRoot` and keeps the marker fresh until `stop()`, which removes it
 * (a run that ends cleanly leaves nothing that looks alive).
 */
export async function registerWorkerRun(workRoot: string, run: WorkerRun, refreshMs = RUN_MARKER_REFRESH_MS): Promise<{ stop(): Promise<void> }> {
  const file = runMarker(workRoot, run.runId);
  await writeJsonAtomically(file, run);
  const refresh = setInterval(() => {
    const now = new Date();
    fs.promises.utimes(file, now, now).catch(() => writeJsonAtomically(file, run).catch(() => undefined));
  }, refreshMs);
  refresh.unref();
  return {
    async stop() {
      clearInterval(refresh);
      await fs.promises.rm(file, { force: true });
    },
  };
}

/**
 * Whether the run `runId` may still be alive: its marker exists and was refreshed lately, and,
 * on this host, its process still exists. A marker that cannot be read counts as alive (it may
 * be being written); a missing one as gone.
 */
async function runMayBeAlive(workRoot: string, runId: string, self: WorkerRun, nowMs: number): Promise<boolean> {
  if (runId === self.runId) return true;
  const file = runMarker(workRoot, runId);
  let mtimeMs: number;
  try {
    mtimeMs = (await fs.promises.stat(file)).mtimeMs;
  } catch {
    return false;
  }
  if (nowMs - mtimeMs > RUN_MARKER_STALE_MS) return false;
  const marker = (await readJson(file)) as Partial<WorkerRun> | undefined;
  if (!marker || typeof marker.pid !== 'number' || typeof marker.host !== 'string') return true;
  if (marker.host !== self.host) return true;
  // Same host and pid as this process, another run: this process is that run's successor (a
  // container started again gives its process the same pid).
  return marker.pid !== self.pid && processAlive(marker.pid);
}

export interface LeftoverCleanup {
  /** Workspace keys removed: made by an earlier run of this worker that is gone. */
  removed: string[];
  /** Workspace keys of this worker id left alone because the run that made them may still be alive. */
  keptAlive: string[];
}

/**
 * Removes the workspaces an earlier run of this worker (same worker id) left in `workRoot`, and
 * those runs' markers. Never touches a workspace of another worker id, of a run that may still be
 * alive (two processes started with the same worker id on one data dir), or one that records no
 * owner (made before workspaces recorded theirs). `beforeRemove` runs first for each (the git
 * mirrors forget its worktrees).
 */
export async function removeLeftoverWorkspaces(
  workRoot: string,
  self: WorkerRun,
  opts: { beforeRemove?: (root: string) => Promise<void>; nowMs?: number } = {},
): Promise<LeftoverCleanup> {
  const nowMs = opts.nowMs ?? Date.now();
  const result: LeftoverCleanup = { removed: [], keptAlive: [] };
  let owners: string[];
  try {
    owners = await fs.promises.readdir(path.join(path.resolve(workRoot), OWNERS_DIR));
  } catch {
    owners = [];
  }
  const goneRuns = new Set<string>();
  for (const entry of owners) {
    if (!entry.endsWith('.json')) continue;
    const key = entry.slice(0, -'.json'.length);
    if (!KEY_PATTERN.test(key)) continue;
    const owner = (await readJson(ownerFile(workRoot, key))) as { workerId?: unknown; runId?: unknown } | undefined;
    if (!owner || owner.workerId !== self.workerId || typeof owner.runId !== 'string') continue;
    if (await runMayBeAlive(workRoot, owner.runId, self, nowMs)) {
      if (owner.runId !== self.runId) result.keptAlive.push(key);
      continue;
    }
    const ws = await openWorkspace(workRoot, key);
    if (ws && opts.beforeRemove) await opts.beforeRemove(ws.root);
    await removeWorkspace(workRoot, key);
    goneRuns.add(owner.runId);
    result.removed.push(key);
  }
  // The gone runs' markers (stale or of dead processes) of this worker id.
  let runs: string[];
  try {
    runs = await fs.promises.readdir(path.join(path.resolve(workRoot), RUNS_DIR));
  } catch {
    runs = [];
  }
  for (const entry of runs) {
    if (!entry.endsWith('.json')) continue;
    const runId = entry.slice(0, -'.json'.length);
    if (runId === self.runId) continue;
    const marker = (await readJson(runMarker(workRoot, runId))) as Partial<WorkerRun> | undefined;
    if (marker?.workerId !== self.workerId && !goneRuns.has(runId)) continue;
    if (!(await runMayBeAlive(workRoot, runId, self, nowMs))) await fs.promises.rm(runMarker(workRoot, runId), { force: true });
  }
  return result;
}

/** Creates (or reuses) `<workRoot>/<key>`, recording `owner` as the run that made it; idempotent. */
export async function createWorkspace(workRoot: string, key: string, owner?: WorkerRun): Promise<Workspace> {
  const dir = workspaceDir(workRoot, key);
  // The owner first: a workspace never exists without its owner once this run made it.
  if (owner) await writeJsonAtomically(ownerFile(workRoot, key), { workerId: owner.workerId, runId: owner.runId });
  await fs.promises.mkdir(dir, { recursive: true });
  return new Workspace(dir);
}

/** The workspace `<workRoot>/<key>` if it exists on this worker. */
export async function openWorkspace(workRoot: string, key: string): Promise<Workspace | undefined> {
  const dir = workspaceDir(workRoot, key);
  try {
    const st = await fs.promises.stat(dir);
    return st.isDirectory() ? new Workspace(dir) : undefined;
  } catch {
    return undefined;
  }
}

/** Deletes `<workRoot>/<key>`, everything in it and its owner record; idempotent. Git worktrees
 * inside it should be released through GitService.releaseWorktrees first so the mirrors forget them. */
export async function removeWorkspace(workRoot: string, key: string): Promise<void> {
  const dir = workspaceDir(workRoot, key);
  await fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 3 });
  await fs.promises.rm(ownerFile(workRoot, key), { force: true });
}
