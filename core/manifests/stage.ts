/**
 * `kind: Stage`: what freight a stage accepts and from where, how it is promoted into
 * (the promotion template) and how it is verified.
 */
import { z } from 'zod';
import { labelKeyProblem, labelValueProblem } from '../label-selector.js';
import {
  addIssues,
  ApiVersion,
  asRecord,
  Duration,
  ExpressionVariable,
  IgnoredStatus,
  NamespacedMeta,
  omitKeys,
  ResourceName,
  ShuntDuration,
  StringMap,
  valueAt,
} from './common.js';
import { FreightOrigin } from './artifacts.js';
import { stageSpecIssues } from './stage-rules.js';
import { PromotionStepSpec } from './steps.js';

export { FreightOrigin } from './artifacts.js';

export const FreightSources = z
  .strictObject({
    direct: z.boolean().optional(),
    stages: z.array(ResourceName).optional(),
    // Kargo treats "" like the default, OneOf.
    availabilityStrategy: z.enum(['OneOf', 'All', '']).optional(),
    requiredSoakTime: Duration.optional(),
    autoPromotionOptions: z
      .strictObject({ selectionPolicy: z.enum(['NewestFreight', 'MatchUpstream']).optional() })
      .optional(),
  })
  .transform(({ availabilityStrategy, ...rest }) => ({ ...rest, ...(availabilityStrategy ? { availabilityStrategy } : {}) }));
export type FreightSources = z.output<typeof FreightSources>;
export type AvailabilityStrategy = NonNullable<FreightSources['availabilityStrategy']>;
export type AutoPromotionSelectionPolicy = NonNullable<NonNullable<FreightSources['autoPromotionOptions']>['selectionPolicy']>;

export const FreightRequest = z.strictObject({
  origin: FreightOrigin,
  sources: FreightSources,
});
export type FreightRequest = z.output<typeof FreightRequest>;

export const PromotionTemplateSpec = z.strictObject({
  vars: z.array(ExpressionVariable).optional(),
  steps: z.array(PromotionStepSpec).min(1),
});
export type PromotionTemplateSpec = z.output<typeof PromotionTemplateSpec>;

export const AnalysisTemplateReference = z.strictObject({
  name: ResourceName,
  kind: z.enum(['AnalysisTemplate', 'ClusterAnalysisTemplate']).optional(),
});
export type AnalysisTemplateReference = z.output<typeof AnalysisTemplateReference>;

export const VerificationSpec = z.strictObject({
  analysisTemplates: z.array(AnalysisTemplateReference).optional(),
  analysisRunMetadata: z
    .strictObject({ labels: StringMap.optional(), annotations: StringMap.optional() })
    .superRefine((meta, ctx) => {
      // They go on the AnalysisRun, whose creation the API server would refuse otherwise.
      for (const [k, v] of Object.entries(meta.labels ?? {})) {
        const problem = labelKeyProblem(k) ?? labelValueProblem(v);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['labels', k], message: problem });
      }
      for (const k of Object.keys(meta.annotations ?? {})) {
        const problem = labelKeyProblem(k);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['annotations', k], message: problem.replace('label key', 'annotation key') });
      }
    })
    .optional(),
  args: z.array(z.strictObject({ name: z.string().min(1), value: z.string() })).optional(),
  /** Shunt's own spelling: freight is verified here only after soaking this long. */
  soak: z.strictObject({ duration: ShuntDuration }).optional(),
});
export type VerificationSpec = z.output<typeof VerificationSpec>;

const StageSpecFields = z.strictObject({
  shard: z.string().optional(),
  vars: z.array(ExpressionVariable).optional(),
  requestedFreight: z.array(FreightRequest).min(1),
  promotionTemplate: z.strictObject({ spec: PromotionTemplateSpec }).optional(),
  verification: VerificationSpec.optional(),
  // Kargo's in-development "Targets"; accepted and ignored.
  targets: z.unknown().optional(),
});
export type StageSpec = Omit<z.output<typeof StageSpecFields>, 'targets'>;

export const StageSpec = StageSpecFields.superRefine((spec, ctx) => addIssues(ctx, stageSpecIssues(spec))).transform((spec): StageSpec => omitKeys(spec, 'targets'));

export const Stage = z
  .strictObject({
    apiVersion: ApiVersion,
    kind: z.literal('Stage'),
    metadata: NamespacedMeta,
    spec: StageSpec,
    status: IgnoredStatus,
  })
  .transform((s) => omitKeys(s, 'status'));
export type Stage = z.output<typeof Stage>;

/** Notes about fields Shunt accepts but does not act on. */
export function stageHints(raw: unknown): string[] {
  const hints: string[] = [];
  const spec = asRecord(valueAt(raw, ['spec']));
  if (spec?.['targets'] !== undefined) hints.push("spec.targets (Kargo's in-development Targets) is ignored by Shunt");
  return hints;
}
