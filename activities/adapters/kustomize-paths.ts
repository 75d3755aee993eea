/**
 * Kustomize refuses files outside a kustomization's root, but not the directories it names as
 * `resources`, `bases` or `components` (`../../base` is normal). This walks those references from
 * a kustomization and refuses any that leave the promotion's workspace before kustomize runs.
 * Remote references (URLs, `github.com/...`) are left to kustomize.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { DomainError } from '../../core/errors.js';
import type { Workspace } from './workspace.js';

const FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const REMOTE = /^(https?:\/\/|git@|ssh:\/\/|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/;

function references(doc: unknown): string[] {
  if (typeof doc !== 'object' || doc === null) return [];
  const d = doc as Record<string, unknown>;
  const out: string[] = [];
  for (const key of ['resources', 'bases', 'components', 'crds', 'patchesStrategicMerge']) {
    const list = d[key];
    if (Array.isArray(list)) for (const v of list) if (typeof v === 'string') out.push(v);
  }
  for (const key of ['patches', 'patchesJson6902']) {
    const list = d[key];
    if (Array.isArray(list)) for (const p of list) if (p && typeof (p as { path?: unknown }).path === 'string') out.push((p as { path: string }).path);
  }
  return out.filter((r) => !REMOTE.test(r) && !r.includes('\n'));
}

/** @throws DomainError('PathEscape') naming the kustomization and the reference. */
export function assertKustomizationConfined(ws: Workspace, dir: string, seen = new Set<string>()): void {
  const real = fs.realpathSync(dir);
  if (seen.has(real)) return;
  seen.add(real);
  const file = FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!file) return;
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return; // kustomize reports the syntax error itself
  }
  for (const ref of references(doc)) {
    const target = path.resolve(dir, ref);
    try {
      ws.resolve(path.relative(ws.root, target));
    } catch {
      throw new DomainError('PathEscape', `${ws.relative(file)} refers to ${JSON.stringify(ref)}, which lies outside the promotion workspace`);
    }
    if (fs.existsSync(target) && fs.statSync(target).isDirectory()) assertKustomizationConfined(ws, target, seen);
  }
}
