/**
 * Promotion steps as they appear in a Stage's `promotionTemplate` and in a
 * (Cluster)PromotionTask; the structural rules Kargo's webhooks enforce on them are in
 * step-rules.ts.
 */
import { z } from 'zod';
import { Duration, ExpressionVariable } from './common.js';
import { STEP_ALIAS } from './step-rules.js';
import { isRecord } from '../record.js';

export const PromotionTaskReference = z.strictObject({
  name: z.string().min(1),
  kind: z.enum(['PromotionTask', 'ClusterPromotionTask']).optional(),
});
export type PromotionTaskReference = z.output<typeof PromotionTaskReference>;

export const StepRetry = z.strictObject({
  errorThreshold: z.number().int().min(0).optional(),
  /** Go duration string, e.g. `5m`. */
  timeout: Duration.optional(),
});
export type StepRetry = z.output<typeof StepRetry>;

/** One entry of a promotion template's `steps`: exactly one of `uses` or `task`. */
export const PromotionStepSpec = z.strictObject({
  uses: z.string().min(1).optional(),
  task: PromotionTaskReference.optional(),
  as: z
    .string()
    .regex(STEP_ALIAS, {
      error: (iss) =>
        `${JSON.stringify(iss.input)} is not a valid step alias: start with a letter, then letters, digits, '_' or '-'`,
    })
    .optional(),
  if: z.string().optional(),
  continueOnError: z.boolean().optional(),
  retry: StepRetry.optional(),
  vars: z.array(ExpressionVariable).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});
export type PromotionStepSpec = z.output<typeof PromotionStepSpec>;

// ---- older spellings: accepted, with a one-line hint naming the current one ---------------

function record(v: unknown): Record<string, unknown> | undefined {
  return isRecord(v) ? v : undefined;
}

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (record(v)) for (const x of Object.values(v as Record<string, unknown>)) strings(x, out);
  return out;
}

/**
 * One hint per older spelling found in a list of raw steps (`where` names the list, e.g.
 * `spec.promotionTemplate.spec.steps`). Each is accepted with the meaning its authors intended;
 * the hint gives the current spelling. Also one per deliberate difference from what Kargo's step
 * would write that can be seen before the run. Never an error.
 */
export function stepSpellingHints(rawSteps: unknown, where: string): string[] {
  if (!Array.isArray(rawSteps)) return [];
  const hints: string[] = [];
  rawSteps.forEach((raw, i) => {
    const step = record(raw);
    if (!step) return;
    const at = `${where}[${i}]${typeof step['as'] === 'string' ? ` (${step['as']})` : ''}`;
    const config = record(step['config']) ?? {};
    const uses = step['uses'];
    const texts = strings([step['if'], step['vars'], step['config']]);
    if (texts.some((t) => /\bsteps(\[\s*['"][^'"\]]+['"]\s*\]|\.[A-Za-z_][\w-]*)\.status\b/.test(t))) {
      hints.push(`${at}: steps['<alias>'].status is an older spelling; use status('<alias>') (compared with 'Failed', 'Succeeded', 'Errored')`);
    }
    if (texts.some((t) => /\bsteps(\[\s*['"][^'"\]]+['"]\s*\]|\.[A-Za-z_][\w-]*)\.outputs\b/.test(t))) {
      hints.push(`${at}: steps['<alias>'].outputs is an older spelling; use outputs['<alias>']`);
    }
    if (texts.some((t) => /\$\{[{%][^}]*\bsecrets(\.|\[)/.test(t))) {
      hints.push(`${at}: the secrets variable was removed in Kargo v1.7; use secret('<name>').<key>`);
    }
    if (texts.some((t) => /\.prNumber\b/.test(t))) {
      hints.push(`${at}: the git-open-pr output prNumber was removed in Kargo v1.7; use pr.id`);
    }
    if (uses === 'git-commit' && config['messageFromSteps'] !== undefined) {
      hints.push(`${at}: git-commit messageFromSteps was removed in Kargo v1.5; use message: \${{ outputs['<alias>'].commitMessage }}`);
    }
    if (uses === 'git-clone' && config['checkout'] === undefined && config['repoURL'] !== undefined) {
      hints.push(`${at}: git-clone without checkout clones into the workspace root; the current spelling is checkout: [{ branch: <branch>, path: ./src }]`);
    }
    if ((uses === 'git-commit' || uses === 'git-push') && config['path'] === undefined) {
      hints.push(`${at}: ${String(uses)} without path uses the workspace root; Kargo requires path`);
    }
    if (uses === 'kustomize-set-image' && Array.isArray(config['images'])) {
      (config['images'] as unknown[]).forEach((img, j) => {
        const image = record(img);
        if (!image) return;
        if (image['newTag'] !== undefined) hints.push(`${at}: images[${j}].newTag is an older spelling; use tag`);
        else if (image['tag'] === undefined && image['digest'] === undefined && image['useDigest'] === undefined) {
          hints.push(`${at}: images[${j}] has neither tag nor digest and takes the promoted freight's tag; the current spelling is tag: \${{ imageFrom('${String(image['image'])}').Tag }}`);
        }
        if (image['fromOrigin'] !== undefined) hints.push(`${at}: images[${j}].fromOrigin was removed in Kargo v1.3; use imageFrom(<repo>, warehouse('<name>'))`);
      });
    }
    // Deliberate difference: Kargo's config numbers are float64, which go-toml writes as 100.0.
    if (uses === 'toml-update' && Array.isArray(config['updates'])) {
      (config['updates'] as unknown[]).forEach((u, j) => {
        const value = record(u)?.['value'];
        if (typeof value === 'number' && Number.isInteger(value)) {
          hints.push(`${at}: updates[${j}].value ${value} is written as the integer ${value}; Kargo writes a number from config as a float (${value}.0)`);
        }
      });
    }
  });
  return hints;
}

/** Hints for a Stage's promotion template steps. */
export function stageStepHints(raw: unknown): string[] {
  const steps = record(record(record(record(raw)?.['spec'])?.['promotionTemplate'])?.['spec'])?.['steps'];
  return stepSpellingHints(steps, 'spec.promotionTemplate.spec.steps');
}

/** Hints for a (Cluster)PromotionTask's steps. */
export function taskStepHints(raw: unknown): string[] {
  return stepSpellingHints(record(record(raw)?.['spec'])?.['steps'], 'spec.steps');
}
