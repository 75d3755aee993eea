/**
 * What a Freight is made of: its origin and the artifact versions it carries (commits, images,
 * charts, generic artifacts). Each type is inferred from its schema; Freight manifests, stages,
 * freight ids and expressions all read these.
 */
import { z } from 'zod';
import { LabelName, RepoURL, ResourceName, StringMap } from './common.js';

export const FreightOrigin = z.strictObject({
  kind: z.literal('Warehouse'),
  name: ResourceName,
});
export type FreightOrigin = z.output<typeof FreightOrigin>;

export const GitCommit = z.strictObject({
  repoURL: RepoURL,
  id: z.string().min(1),
  branch: z.string().optional(),
  tag: z.string().optional(),
  message: z.string().optional(),
  author: z.string().optional(),
  committer: z.string().optional(),
  subscriptionName: LabelName.optional(),
});
export type GitCommit = z.output<typeof GitCommit>;

export const Image = z.strictObject({
  repoURL: RepoURL,
  tag: z.string().min(1),
  digest: z.string().optional(),
  annotations: StringMap.optional(),
  subscriptionName: LabelName.optional(),
});
export type Image = z.output<typeof Image>;

export const Chart = z.strictObject({
  repoURL: RepoURL,
  name: z.string().optional(),
  version: z.string().min(1),
  subscriptionName: LabelName.optional(),
});
export type Chart = z.output<typeof Chart>;

/**
 * Kargo's generic artifact (`ArtifactReference`): a version of something that is not a commit, an
 * image or a chart, found by a generic subscription (none in Kargo's open-source build or Shunt)
 * or put on hand-assembled Freight. `metadata` is an opaque JSON object.
 */
export const ArtifactReference = z.strictObject({
  artifactType: z.string().min(1).optional(),
  subscriptionName: z.string().min(1),
  version: z.string().min(1),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type ArtifactReference = z.output<typeof ArtifactReference>;

/**
 * What a Freight carries; its id is derived from exactly this (see core/freight/freight-id.ts).
 * Written by hand: no document has this shape, it is built from a Freight manifest or a discovery.
 */
export interface FreightContent {
  origin: FreightOrigin;
  commits: GitCommit[];
  images: Image[];
  charts: Chart[];
  /** Generic artifacts; absent when there are none (as in every freight from discovery). */
  artifacts?: ArtifactReference[];
}

/** The artifacts of a `kind: Freight` document, where absent lists are allowed. */
export type FreightArtifacts = Pick<FreightContent, 'origin'> & Partial<Omit<FreightContent, 'origin'>>;
