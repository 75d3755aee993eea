/**
 * `kind: PromotionTask` (namespaced) and `kind: ClusterPromotionTask` (cluster-scoped):
 * reusable step sequences a promotion template references with `task:`. A var without a
 * `value` is required; with one it is a default.
 */
import { z } from 'zod';
import { addIssues, ApiVersion, ClusterMeta, ExpressionVariable, IgnoredStatus, NamespacedMeta, omitKeys } from './common.js';
import { taskSpecIssues } from './step-rules.js';
import { PromotionStepSpec } from './steps.js';

export const PromotionTaskSpec = z
  .strictObject({
    vars: z.array(ExpressionVariable).optional(),
    steps: z.array(PromotionStepSpec).min(1),
  })
  .superRefine((spec, ctx) => addIssues(ctx, taskSpecIssues(spec)));
export type PromotionTaskSpec = z.output<typeof PromotionTaskSpec>;

export const PromotionTask = z
  .strictObject({
    apiVersion: ApiVersion,
    kind: z.literal('PromotionTask'),
    metadata: NamespacedMeta,
    spec: PromotionTaskSpec,
    status: IgnoredStatus,
  })
  .transform((t) => omitKeys(t, 'status'));
export type PromotionTask = z.output<typeof PromotionTask>;

export const ClusterPromotionTask = z
  .strictObject({
    apiVersion: ApiVersion,
    kind: z.literal('ClusterPromotionTask'),
    metadata: ClusterMeta,
    spec: PromotionTaskSpec,
    status: IgnoredStatus,
  })
  .transform((t) => omitKeys(t, 'status'));
export type ClusterPromotionTask = z.output<typeof ClusterPromotionTask>;
