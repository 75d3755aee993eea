/**
 * Issue 13: the data directory (mirrors, workspaces, credentials, Temporal's database) was
 * created world-readable. It is created 0700, tightened at start, sensitive files 0600; git's
 * own directories made under it by a worker with umask 077 are private too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { preparePrivateDataDir } from '../../activities/adapters/private-dir.js';
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
