/**
 * What the OCI Distribution API and its token services answer, as Shunt reads it: only the fields
 * Shunt uses are checked; manifests and descriptors keep every other field (a manifest is written
 * back by oci-push, and its digest must not change by accident).
 */
import { z } from 'zod';

const Annotations = z.record(z.string(), z.string());

export const Descriptor = z.looseObject({
  mediaType: z.string().optional(),
  digest: z.string(),
  size: z.number().int().nonnegative().optional(),
  annotations: Annotations.optional(),
  platform: z.looseObject({ os: z.string().optional(), architecture: z.string().optional(), variant: z.string().optional() }).optional(),
});
export type Descriptor = z.infer<typeof Descriptor>;

/** An image manifest or an image index (they differ by `config`/`layers` vs `manifests`). */
export const ManifestBody = z.looseObject({
  schemaVersion: z.number().int().optional(),
  mediaType: z.string().optional(),
  config: Descriptor.optional(),
  layers: z.array(Descriptor).optional(),
  manifests: z.array(Descriptor).optional(),
  annotations: Annotations.optional(),
});
export type ManifestBody = z.infer<typeof ManifestBody>;

/** `GET /v2/<name>/tags/list`; distribution sends `"tags": null` for a repository without tags. */
export const TagList = z.object({ tags: z.array(z.string()).nullish() });

/** A token service's answer: Docker's `token`, or OAuth2's `access_token` (either may be there). */
export const TokenResponse = z.object({ token: z.string().optional(), access_token: z.string().optional() });

/** The image config blob: its build time, platform and labels. */
export const ImageConfig = z.object({
  created: z.string().optional(),
  os: z.string().optional(),
  architecture: z.string().optional(),
  variant: z.string().optional(),
  config: z.object({ Labels: z.record(z.string(), z.string()).nullish() }).nullish(),
});
export type ImageConfig = z.infer<typeof ImageConfig>;
