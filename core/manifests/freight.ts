/**
 * `kind: Freight`: freight assembled by hand (Kargo's "Freight assembly"). Its fields are
 * top-level (no `spec`). `metadata.name` is optional and always replaced by the id derived
 * from the content, as Kargo's admission webhook does.
 */
import { z } from 'zod';
import { aliasProblem } from '../freight/alias.js';
import { freightContentFromManifest, freightId } from '../freight/freight-id.js';
import { ArtifactReference, Chart, FreightOrigin, GitCommit, Image } from './artifacts.js';
import { ApiVersion, FreightMeta, IgnoredStatus, omitKeys, valueAt } from './common.js';

export { ArtifactReference, Chart, GitCommit, Image } from './artifacts.js';

/** A freight alias: a non-empty label value (core/freight/alias.ts holds the rule). */
export const Alias = z.string().superRefine((alias, ctx) => {
  const problem = aliasProblem(alias);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** A `kind: Freight` document as applied (its name replaced by the id computed from its content). */
export const FreightManifest = z
  .strictObject({
    apiVersion: ApiVersion,
    kind: z.literal('Freight'),
    metadata: FreightMeta,
    alias: Alias.optional(),
    origin: FreightOrigin,
    commits: z.array(GitCommit).optional(),
    images: z.array(Image).optional(),
    charts: z.array(Chart).optional(),
    artifacts: z.array(ArtifactReference).optional(),
    /** Set by Kargo on discovery; accepted and dropped. */
    discoveredAt: z.unknown().optional(),
    status: IgnoredStatus,
  })
  .superRefine((f, ctx) => {
    if ((f.commits?.length ?? 0) + (f.images?.length ?? 0) + (f.charts?.length ?? 0) + (f.artifacts?.length ?? 0) === 0) {
      ctx.addIssue({ code: 'custom', path: [], message: 'expected at least one artifact in commits, images, charts or artifacts' });
    }
  })
  .transform((f) => {
    const m = omitKeys(f, 'status', 'discoveredAt');
    const id = freightId(freightContentFromManifest(m));
    return { ...m, metadata: { ...m.metadata, name: id } };
  });
export type FreightManifest = z.output<typeof FreightManifest>;

export function freightHints(raw: unknown, parsed: FreightManifest | undefined): string[] {
  const given = valueAt(raw, ['metadata', 'name']);
  if (parsed !== undefined && typeof given === 'string' && given !== '' && given !== parsed.metadata.name) {
    return [`metadata.name is ignored: a Freight's name is its content-derived id (${parsed.metadata.name})`];
  }
  return [];
}
