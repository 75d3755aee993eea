/**
 * Writing rendered Kubernetes manifests (kustomize-build, helm-template) to the workspace: one
 * file, or one file per resource in a directory.
 */
import { parseAllDocuments } from 'yaml';
import { DomainError } from '../../core/errors.js';
import { writeWorkspaceText } from './step-files.js';
import type { Workspace } from './workspace.js';

export const isYamlFileName = (p: string): boolean => /\.ya?ml$/i.test(p);

interface Resource {
  text: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

function resources(yamlText: string): Resource[] {
  const out: Resource[] = [];
  for (const doc of parseAllDocuments(yamlText)) {
    if (doc.errors.length > 0) throw new DomainError('StepFailed', `rendered manifests are not valid YAML: ${doc.errors[0]?.message ?? ''}`);
    const obj = doc.toJS() as Record<string, unknown> | null;
    if (!obj) continue;
    const meta = (obj['metadata'] ?? {}) as Record<string, unknown>;
    const r: Resource = {
      text: doc.toString(),
      apiVersion: String(obj['apiVersion'] ?? ''),
      kind: String(obj['kind'] ?? 'unknown'),
      name: String(meta['name'] ?? 'unnamed'),
    };
    if (typeof meta['namespace'] === 'string' && meta['namespace'] !== '') r.namespace = meta['namespace'];
    out.push(r);
  }
  return out;
}

const safe = (s: string): string => s.toLowerCase().replace(/[^a-z0-9._~-]/g, '_');

/** Kargo's layout: `[namespace-]kind-name.yaml`; kustomize's: `group_version_kind_name.yaml`. */
export function resourceFileName(r: Resource, format: 'kargo' | 'kustomize'): string {
  if (format === 'kargo') return `${r.namespace ? `${safe(r.namespace)}-` : ''}${safe(r.kind)}-${safe(r.name)}.yaml`;
  const [group, version] = r.apiVersion.includes('/') ? r.apiVersion.split('/') : ['~g', r.apiVersion];
  return `${safe(group ?? '~g')}_${safe(version ?? '')}_${safe(r.kind)}_${safe(r.name)}.yaml`;
}

/**
 * Writes `yamlText` to `outPath`: as it is when `outPath` names a `.yaml`/`.yml` file, else one
 * file per resource in the directory `outPath`. Returns the paths written (workspace-relative).
 */
export async function writeManifests(ws: Workspace, outPath: string, yamlText: string, format: 'kargo' | 'kustomize'): Promise<string[]> {
  if (isYamlFileName(outPath)) {
    await writeWorkspaceText(ws, outPath, yamlText);
    return [outPath];
  }
  const written: string[] = [];
  const seen = new Set<string>();
  for (const r of resources(yamlText)) {
    let name = resourceFileName(r, format);
    for (let i = 2; seen.has(name); i++) name = name.replace(/(-\d+)?\.yaml$/, `-${i}.yaml`);
    seen.add(name);
    const rel = `${outPath.replace(/\/+$/, '')}/${name}`;
    await writeWorkspaceText(ws, rel, r.text);
    written.push(rel);
  }
  return written;
}
