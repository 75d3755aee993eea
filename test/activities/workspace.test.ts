import * as fs from 'node:fs';
import * as path from 'node:path';
import { createWorkspace, openWorkspace, removeWorkspace, type Workspace } from '../../activities/adapters/workspace.js';
import { Disposer, tempDir } from '../support/git-repos.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

async function aWorkspace(): Promise<{ ws: Workspace; outside: string }> {
  const base = await tempDir(disposer);
  const ws = await createWorkspace(path.join(base, 'work'), 'promo');
  const outside = path.join(base, 'outside');
  await fs.promises.mkdir(outside);
  return { ws, outside };
}

describe('Workspace.resolve', () => {
  it.each(['.', '', 'src', './src/stages/dev', 'a/../b', 'not/yet/there'])('accepts %j', async (rel) => {
    const { ws } = await aWorkspace();
    const resolved = ws.resolve(rel);
    expect(resolved === ws.root || resolved.startsWith(ws.root + path.sep)).toBe(true);
  });

  it.each(['../x', '..', 'a/../../x', './../promo-other/x'])('refuses the escape %j', async (rel) => {
    const { ws } = await aWorkspace();
    expect(() => ws.resolve(rel)).toThrow(
      expect.objectContaining({ code: 'PathEscape', message: `path ${JSON.stringify(rel)} escapes the promotion workspace` }),
    );
  });

  it('refuses absolute paths, even inside the workspace', async () => {
    const { ws } = await aWorkspace();
    expect(() => ws.resolve('/etc/passwd')).toThrow(expect.objectContaining({ code: 'PathEscape' }));
    expect(() => ws.resolve(path.join(ws.root, 'src'))).toThrow(expect.objectContaining({ code: 'PathEscape' }));
  });

  it('refuses a symlink leading out of the workspace, and paths below it', async () => {
    const { ws, outside } = await aWorkspace();
    await fs.promises.symlink(outside, path.join(ws.root, 'link'));
    expect(() => ws.resolve('link')).toThrow(expect.objectContaining({ code: 'PathEscape' }));
    expect(() => ws.resolve('link/new/file.yaml')).toThrow(expect.objectContaining({ code: 'PathEscape' }));
  });

  it('refuses a dangling symlink', async () => {
    const { ws } = await aWorkspace();
    await fs.promises.symlink('/nonexistent/somewhere', path.join(ws.root, 'dangling'));
    expect(() => ws.resolve('dangling')).toThrow(expect.objectContaining({ code: 'PathEscape' }));
  });

  it('accepts a symlink that stays inside', async () => {
    const { ws } = await aWorkspace();
    await fs.promises.mkdir(path.join(ws.root, 'real'));
    await fs.promises.symlink(path.join(ws.root, 'real'), path.join(ws.root, 'alias'));
    expect(ws.resolve('alias/file')).toBe(path.join(ws.root, 'alias', 'file'));
  });
});

describe('workspace lifecycle', () => {
  it('creates idempotently, finds, and removes idempotently', async () => {
    const base = await tempDir(disposer);
    const work = path.join(base, 'work');
    const a = await createWorkspace(work, 'promo-1');
    const b = await createWorkspace(work, 'promo-1');
    expect(a.root).toBe(b.root);
    expect((await openWorkspace(work, 'promo-1'))?.root).toBe(a.root);

    await removeWorkspace(work, 'promo-1');
    await removeWorkspace(work, 'promo-1');

    expect(await openWorkspace(work, 'promo-1')).toBeUndefined();
  });

  it.each(['..', '../x', 'a/b', '', '/abs'])('refuses the workspace key %j', async (key) => {
    const base = await tempDir(disposer);
    await expect(createWorkspace(base, key)).rejects.toMatchObject({ code: 'BadRequest' });
  });
});
