/**
 * Issue 13: the data directory (mirrors, workspaces, credentials, Temporal's database) was
 * created world-readable. It is created 0700, tightened at start, sensitive files 0600; git's
 * own directories made under it by a worker with umask 077 are private too.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OP_DIR_MAX_AGE_MS, preparePrivateDataDir, removeLeftoverPrivateDirs, withPrivateTempDir } from '../../activities/adapters/private-dir.js';
import { Disposer, tempDir } from '../support/git-repos.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const mode = (p: string): string => (fs.statSync(p).mode & 0o777).toString(8);

describe('the data directory', () => {
  it('is created 0700, parents included', async () => {
    const root = await tempDir(disposer);
    const dataDir = path.join(root, 'a', 'data');
    expect(preparePrivateDataDir(dataDir)).toEqual([]);
    expect(mode(dataDir)).toBe('700');
  });

  it('is tightened at start when it exists open, with its sensitive entries', async () => {
    const dataDir = await tempDir(disposer);
    fs.chmodSync(dataDir, 0o755);
    for (const d of ['git', 'work', 'credentials']) fs.mkdirSync(path.join(dataDir, d), { mode: 0o755 });
    fs.writeFileSync(path.join(dataDir, 'temporal.db'), 'db', { mode: 0o644 });
    fs.writeFileSync(path.join(dataDir, 'temporal.pid'), '1\n', { mode: 0o644 });
    fs.chmodSync(path.join(dataDir, 'temporal.db'), 0o644);
    fs.chmodSync(path.join(dataDir, 'git'), 0o755);
    expect(preparePrivateDataDir(dataDir)).toEqual([]);
    expect(mode(dataDir)).toBe('700');
    for (const d of ['git', 'work', 'credentials']) expect(mode(path.join(dataDir, d))).toBe('700');
    expect(mode(path.join(dataDir, 'temporal.db'))).toBe('600');
    expect(mode(path.join(dataDir, 'temporal.pid'))).toBe('600');
  });

  it('leaves entries that are already private alone, and symlinks untouched', async () => {
    const dataDir = await tempDir(disposer);
    const elsewhere = await tempDir(disposer);
    fs.chmodSync(elsewhere, 0o755);
    fs.symlinkSync(elsewhere, path.join(dataDir, 'work'));
    fs.mkdirSync(path.join(dataDir, 'git'), { mode: 0o500 });
    fs.chmodSync(path.join(dataDir, 'git'), 0o500);
    expect(preparePrivateDataDir(dataDir)).toEqual([]);
    expect(mode(elsewhere)).toBe('755');
    expect(mode(path.join(dataDir, 'git'))).toBe('500');
  });
});

describe('key files a killed process left', () => {
  /** A child that has exited: its pid is one no live process of this host has (until reused). */
  const deadPid = (): number => {
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    return Number(r.stdout.toString());
  };

  it("are removed at start: those of this host's dead processes, and a pid equal to this one (a restarted container); live processes and other hosts keep theirs", async () => {
    const secrets = await tempDir(disposer);
    // The name a live operation of this process gets, to learn this host's tag.
    let live = '';
    let parent = '';
    await withPrivateTempDir(secrets, async (dir) => {
      live = path.basename(dir);
      const host = /^op-([0-9a-f]{8})-/.exec(live)![1]!;
      const dead = `op-${host}-${deadPid()}-AAAAAA`;
      const self = `op-${host}-4242-BBBBBB`;
      parent = `op-${host}-${process.ppid}-CCCCCC`;
      const otherHost = 'op-00000000-12-DDDDDD';
      for (const d of [dead, self, parent, otherHost]) {
        fs.mkdirSync(path.join(secrets, d));
        fs.writeFileSync(path.join(secrets, d, 'key'), 'PRIVATE KEY');
      }
      const removed = await removeLeftoverPrivateDirs(secrets, { pid: 4242 });
      expect(removed.sort()).toEqual([dead, self].sort());
      // The operation in flight (this process's pid, which is not the 4242 claimed above) is left alone.
      expect(fs.readdirSync(secrets).sort()).toEqual([live, parent, otherHost].sort());
    });
    expect(fs.readdirSync(secrets).sort()).toEqual([parent, 'op-00000000-12-DDDDDD'].sort());
  });

  it("of another host are removed once a day old; files that are not operations' are never touched", async () => {
    const secrets = await tempDir(disposer);
    fs.mkdirSync(path.join(secrets, 'op-00000000-12-DDDDDD'));
    fs.mkdirSync(path.join(secrets, 'op-legacy1'));
    fs.writeFileSync(path.join(secrets, 'README'), 'not ours');
    const now = Date.now();
    expect(await removeLeftoverPrivateDirs(secrets, { nowMs: now })).toEqual([]);
    expect((await removeLeftoverPrivateDirs(secrets, { nowMs: now + OP_DIR_MAX_AGE_MS + 60_000 })).sort()).toEqual(['op-00000000-12-DDDDDD', 'op-legacy1']);
    expect(fs.readdirSync(secrets)).toEqual(['README']);
  });

  it('is nothing to do when the directory does not exist', async () => {
    const root = await tempDir(disposer);
    expect(await removeLeftoverPrivateDirs(path.join(root, 'missing'))).toEqual([]);
  });
});
