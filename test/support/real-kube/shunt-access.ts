/**
 * Shunt's worker identity in a RealKube cluster: the ServiceAccount `shunt/shunt` with exactly the
 * Role README documents (docs/kubernetes/shunt-rbac.yaml), bound in the namespaces asked
 * for, and a kubeconfig with a real service-account token.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RealKube } from './cluster.js';

const RBAC = fileURLToPath(new URL('../../../docs/kubernetes/shunt-rbac.yaml', import.meta.url));

export interface ShuntAccess {
  /** Projects whose namespace gets the shunt-project binding (namespaces are created). */
  projects: string[];
  /** Whether kargo-shared-resources exists and gets the shunt-shared binding. */
  shared: boolean;
  /** Whether the argocd namespace gets the shunt-argocd binding (it must exist). */
  argocd: boolean;
}

/** Creates the ServiceAccount, the ClusterRoles and the bindings; returns a kubeconfig path. */
export async function grantShunt(kube: RealKube, access: ShuntAccess): Promise<string> {
  const docs = (await readFile(RBAC, 'utf8')).split(/^---$/m);
  const roles = docs.filter((d) => /kind: ClusterRole\n/.test(d));
  const binding = (ns: string): string | undefined => docs.find((d) => d.includes('kind: RoleBinding') && d.includes(`namespace: ${ns}\n`));
  const bindings: string[] = [];
  for (const p of access.projects) bindings.push(binding('demo')!.replace('namespace: demo\n', `namespace: ${p}\n`));
  if (access.shared) bindings.push(binding('kargo-shared-resources')!);
  if (access.argocd) bindings.push(binding('argocd')!);
  const namespaces = ['shunt', ...access.projects, ...(access.shared ? ['kargo-shared-resources'] : [])];
  await kube.apply(namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
  await kube.apply([{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'shunt', namespace: 'shunt' } }]);
  await kube.apply([...roles, ...bindings].join('\n---\n'));
  const token = await kube.serviceAccountToken('shunt', 'shunt');
  return kube.writeKubeconfig(join(kube.dir, 'shunt.kubeconfig'), token);
}
