/** Kargo's argocd-update / argocd-wait config shapes (zod), shared by both steps. */
import { z } from 'zod';
import { labelSelectorIssues } from '../../../core/label-selector.js';

/** Kargo's argoCDAppSelector: a Kubernetes label selector with at least one criterion. */
export const AppSelector = z
  .strictObject({
    matchLabels: z.record(z.string(), z.string()).optional().describe('Labels every selected Application must carry.'),
    matchExpressions: z
      .array(
        z.strictObject({
          key: z.string().min(1),
          operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: z.array(z.string()).optional(),
        }),
      )
      .optional()
      .describe('Requirements (In, NotIn, Exists, DoesNotExist) every selected Application must meet.'),
  })
  .superRefine((sel, ctx) => {
    if (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
      ctx.addIssue({ code: 'custom', path: [], message: 'selector must have at least one match criterion (matchLabels or matchExpressions)' });
    }
    for (const issue of labelSelectorIssues(sel)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });
export type AppSelector = z.infer<typeof AppSelector>;

export const KustomizeImageUpdate = z
  .strictObject({
    repoURL: z.string().min(1).describe('The image repository, as named in the kustomization.'),
    tag: z.string().min(1).optional(),
    digest: z.string().min(1).optional(),
    newName: z.string().min(1).optional().describe('Replace the image name as well.'),
  })
  .refine((i) => !(i.tag !== undefined && i.digest !== undefined), { message: 'use either tag or digest', path: ['digest'] })
  .refine((i) => i.tag !== undefined || i.digest !== undefined, { message: 'tag or digest is required', path: ['tag'] });

export const SourceUpdate = z
  .strictObject({
    repoURL: z.string().min(1).describe('Which source of the Application to update (git URLs compared normalized).'),
    chart: z.string().min(1).optional().describe('For Helm chart sources: the chart name.'),
    desiredRevision: z.string().min(1).optional().describe('The revision the Application must be synced to.'),
    updateTargetRevision: z.boolean().optional().describe("Set the source's targetRevision to desiredRevision."),
    kustomize: z.strictObject({ images: z.array(KustomizeImageUpdate).min(1) }).optional(),
    helm: z.strictObject({ images: z.array(z.strictObject({ key: z.string().min(1), value: z.string() })).min(1) }).optional(),
  })
  .refine((s) => !s.updateTargetRevision || s.desiredRevision !== undefined, {
    message: 'updateTargetRevision needs desiredRevision',
    path: ['updateTargetRevision'],
  });
export type SourceUpdate = z.infer<typeof SourceUpdate>;

/** `name` or `selector`, exactly one. */
export function oneOfNameOrSelector(app: { name?: string | undefined; selector?: unknown }): boolean {
  return (app.name !== undefined) !== (app.selector !== undefined);
}
