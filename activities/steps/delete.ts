/**
 * `delete`: removes files or directories from the workspace: `path`, or `paths` (glob patterns
 * when `pathsAreGlobs`). A missing path is fine unless `strict`. The workspace root itself and
 * anything outside it are refused.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { removeFromWorkspace } from '../adapters/step-files.js';
import { hasGitComponent, type Workspace } from '../adapters/workspace.js';
import type { StepDefinition } from './step.js';

export const DeleteConfig = z
  .strictObject({
    path: z.string().min(1).optional().describe('One path to delete, relative to the workspace.'),
    paths: z.array(z.string().min(1)).min(1).optional().describe('Several paths (or globs) to delete.'),
    pathsAreGlobs: z.boolean().optional().describe('Treat `paths` as glob patterns (default false).'),
    strict: z.boolean().optional().describe('Fail when a path (or a glob) matches nothing (default false).'),
  })
  .superRefine((c, ctx) => {
    if ((c.path === undefined) === (c.paths === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of path or paths' });
    }
    if (c.pathsAreGlobs && c.paths === undefined) {
      ctx.addIssue({ code: 'custom', path: ['pathsAreGlobs'], message: 'pathsAreGlobs needs paths' });
    }
  });
export type DeleteConfig = z.infer<typeof DeleteConfig>;

/** Every path of the workspace (relative, `/`-separated), leaving out `.git` entries. */
async function walk(ws: Workspace, dir = ws.root, out: string[] = []): Promise<string[]> {
  for (const entry of await fs.promises.readdir(dir, { withFileTypes: true })) {
    const abs = path.join(dir, entry.name);
    if (hasGitComponent(entry.name)) continue; // git metadata is never a step's to delete
    out.push(ws.relative(abs));
    if (entry.isDirectory()) await walk(ws, abs, out);
  }
  return out;
}


export const deleteStep: StepDefinition<DeleteConfig> = {
  kind: 'delete',
  config: DeleteConfig,
  async run(ctx, config) {
    const ws = ctx.workspace;
    const patterns = config.paths ?? [config.path as string];
    if (!config.pathsAreGlobs) {
      for (const p of patterns) ws.resolveForWrite(p);
      for (const p of patterns) {
        if (!(await removeFromWorkspace(ws, p)) && config.strict) {
          throw new DomainError('StepFailed', `path ${JSON.stringify(p)} does not exist (strict)`);
        }
      }
      return { status: 'Succeeded' };
    }
    for (const p of patterns) {
      if (path.isAbsolute(p) || p.split('/').includes('..')) ws.resolve(p);
    }
    const all = await walk(ws);
    for (const p of patterns) {
      const match = picomatch(p, { dot: true });
      const hits = all.filter((rel) => match(rel));
      if (hits.length === 0 && config.strict) {
        throw new DomainError('StepFailed', `glob ${JSON.stringify(p)} matches nothing (strict)`);
      }
      // Deepest first, so a matched directory's matched children go before it.
      for (const rel of hits.sort((a, b) => b.length - a.length)) await removeFromWorkspace(ws, rel);
    }
    return { status: 'Succeeded' };
  },
};
