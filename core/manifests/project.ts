/**
 * `kind: Project`: cluster-scoped, no spec since Kargo v1.7 (settings moved to ProjectConfig).
 * An old-style `spec` is accepted and kept as-is; Shunt does not read it.
 */
import { z } from 'zod';
import { ApiVersion, ClusterMeta, IgnoredStatus, omitKeys, valueAt } from './common.js';

export const Project = z
  .strictObject({
    apiVersion: ApiVersion,
    kind: z.literal('Project'),
    metadata: ClusterMeta,
    spec: z.record(z.string(), z.unknown()).optional(),
    status: IgnoredStatus,
  })
  .transform((p) => omitKeys(p, 'status'));
export type Project = z.output<typeof Project>;

export function projectHints(raw: unknown): string[] {
  return valueAt(raw, ['spec']) !== undefined
    ? ['Project spec is ignored (Kargo moved it to ProjectConfig in v1.7); put promotionPolicies in a ProjectConfig']
    : [];
}
