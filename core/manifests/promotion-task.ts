/**
 * `kind: PromotionTask` (namespaced) and `kind: ClusterPromotionTask` (cluster-scoped):
 * reusable step sequences a promotion template references with `task:`. A var without a
 * `value` is required; with one it is a default.
 */
import { z } from 'zod';
import type * as model from '../model.js';
import { addIssues, ApiVersion, ClusterMeta, ExpressionVariable, IgnoredStatus, NamespacedMeta, omitKeys } from './common.js';
import { type LocalIssue, PromotionStepSpec, taskStepIssues, under } from './steps.js';

/** Rules inside a task spec; paths relative to `spec`. */
export function taskSpecIssues(spec: model.PromotionTaskSpec): LocalIssue[] {
  return under(['steps'], taskStepIssues(spec.steps));
}

export const PromotionTaskSpec: z.ZodType<model.PromotionTaskSpec> = z
  .strictObject({
    vars: z.array(ExpressionVariable).optional(),
    steps: z.array(PromotionStepSpec).min(1),
  })
  .superRefine((spec, ctx) => addIssues(ctx, taskSpecIssues(spec)));

export const PromotionTask: z.ZodType<model.PromotionTask> = z
  .strictObject({
    apiVersion: ApiVersion,
    kind: z.literal('PromotionTask'),
    metadata: NamespacedMeta,
    spec: PromotionTaskSpec,
    status: IgnoredStatus,
  })
  .transform((t) => omitKeys(t, 'status'));
export type PromotionTask = model.PromotionTask;

export const ClusterPromotionTask: z.ZodType<model.ClusterPromotionTask> = z
  .strictObject({
    apiVersion: ApiVersion,
    kind: z.literal('ClusterPromotionTask'),
    metadata: ClusterMeta,
    spec: PromotionTaskSpec,
    status: IgnoredStatus,
  })
  .transform((t) => omitKeys(t, 'status'));
export type ClusterPromotionTask = model.ClusterPromotionTask;
