/**
 * `kind: AnalysisTemplate` (Argo Rollouts, `argoproj.io/v1alpha1`): the checks a stage's
 * verification runs. Shunt runs the `web` and `prometheus` providers itself; other providers
 * (job, kayenta, datadog, …) need a cluster with Argo Rollouts, where the template goes into a
 * real AnalysisRun.
 */
import { z } from 'zod';
import { checkExpressionSyntax } from '../expressions/index.js';
import { ARGO_ROLLOUTS_API_VERSION } from '../api-versions.js';
import { addIssues, ClusterMeta, Duration, NamespacedMeta, type ObjectMeta } from './common.js';
import type { LocalIssue } from './issues.js';

const ArgoApiVersion = z.literal(ARGO_ROLLOUTS_API_VERSION, {
  error: (iss) => (iss.input === undefined ? 'required' : `expected "${ARGO_ROLLOUTS_API_VERSION}", got ${JSON.stringify(iss.input)}`),
});

/** Argo takes `count`, limits and delays as int-or-string; strings of digits are accepted too. */
const IntOrString = z.union([z.number().int().min(-1), z.string().regex(/^-?\d+$/).transform(Number)]);

export const WebMetricProvider = z.strictObject({
  url: z.string().min(1),
  method: z.enum(['GET', 'POST', 'PUT']).optional(),
  headers: z.array(z.strictObject({ key: z.string().min(1), value: z.string() })).optional(),
  body: z.string().optional(),
  jsonBody: z.unknown().optional(),
  jsonPath: z.string().optional(),
  timeoutSeconds: z.number().int().positive().optional(),
  insecure: z.boolean().optional(),
});
export type WebMetricProvider = z.output<typeof WebMetricProvider>;

export const PrometheusMetricProvider = z.looseObject({
  address: z.string().min(1),
  query: z.string().min(1),
  /** Seconds (Argo's `timeout`). */
  timeout: z.number().int().positive().optional(),
});
export type PrometheusMetricProvider = z.output<typeof PrometheusMetricProvider>;

/** Providers Shunt can run itself (web, prometheus); others run only through a cluster's Argo Rollouts (job, kayenta, datadog, …). */
export const MetricProvider = z.looseObject({ web: WebMetricProvider.optional(), prometheus: PrometheusMetricProvider.optional() });
export type MetricProvider = z.output<typeof MetricProvider>;

export const AnalysisMetric = z.looseObject({
  name: z.string().min(1),
  provider: MetricProvider,
  successCondition: z.string().optional(),
  failureCondition: z.string().optional(),
  count: IntOrString.optional(),
  interval: Duration.optional(),
  initialDelay: Duration.optional(),
  failureLimit: IntOrString.optional(),
  inconclusiveLimit: IntOrString.optional(),
  consecutiveErrorLimit: IntOrString.optional(),
});
export type AnalysisMetric = z.output<typeof AnalysisMetric>;

export const AnalysisArg = z.looseObject({ name: z.string().min(1), value: z.string().optional() });
export type AnalysisArg = z.output<typeof AnalysisArg>;

const Spec = z.looseObject({
  args: z.array(AnalysisArg).optional(),
  metrics: z.array(AnalysisMetric).min(1),
});
export type AnalysisTemplateSpec = z.output<typeof Spec>;

/**
 * Typed by hand around the inferred spec: both kinds keep Argo's other top-level fields (loose
 * objects), but an index signature on a member of the Manifest union would erase its `kind`.
 */
export interface AnalysisTemplate {
  apiVersion: typeof ARGO_ROLLOUTS_API_VERSION;
  kind: 'AnalysisTemplate';
  metadata: ObjectMeta;
  spec: AnalysisTemplateSpec;
}

/** Argo Rollouts' cluster-scoped AnalysisTemplate: the same spec, no namespace, usable by every project. */
export interface ClusterAnalysisTemplate extends Omit<AnalysisTemplate, 'kind'> {
  kind: 'ClusterAnalysisTemplate';
}

/** The document without `status`, its other top-level fields kept. */
function withoutStatus<K extends string, D extends { apiVersion: typeof ARGO_ROLLOUTS_API_VERSION; kind: K; metadata: ObjectMeta; spec: AnalysisTemplateSpec; status?: unknown }>(
  doc: D,
): { apiVersion: typeof ARGO_ROLLOUTS_API_VERSION; kind: K; metadata: ObjectMeta; spec: AnalysisTemplateSpec } {
  const { status: _status, apiVersion, kind, metadata, spec, ...rest } = doc;
  return { ...rest, apiVersion, kind, metadata, spec };
}

/** Rules the field types cannot express; paths are relative to `spec`. */
export function analysisTemplateIssues(spec: { args?: AnalysisArg[] | undefined; metrics: AnalysisMetric[] }): LocalIssue[] {
  const issues: LocalIssue[] = [];
  const names = new Set<string>();
  spec.metrics.forEach((m, i) => {
    const at = ['metrics', i];
    if (names.has(m.name)) issues.push({ path: [...at, 'name'], message: `metric ${JSON.stringify(m.name)} is defined twice` });
    names.add(m.name);
    const providers = Object.keys(m.provider).filter((k) => m.provider[k] !== undefined);
    if (providers.length !== 1) {
      issues.push({ path: [...at, 'provider'], message: `expected exactly one provider, got ${providers.length ? providers.join(', ') : 'none'}` });
    }
    for (const field of ['successCondition', 'failureCondition'] as const) {
      const condition = m[field];
      if (condition === undefined) continue;
      // Arguments are substituted before evaluation: check the syntax with placeholders.
      const problem = checkExpressionSyntax(condition.replace(/\{\{\s*args\.[\w-]+\s*\}\}/g, '0'));
      if (problem) issues.push({ path: [...at, field], message: `invalid expression: ${problem}` });
    }
    if (m.count !== undefined && m.count < 0) issues.push({ path: [...at, 'count'], message: 'must not be negative' });
    if (m.count !== undefined && m.count > 1 && m.interval === undefined) {
      issues.push({ path: [...at, 'interval'], message: 'required when count is above 1 (the time between measurements)' });
    }
  });
  const argNames = new Set<string>();
  (spec.args ?? []).forEach((a, i) => {
    if (argNames.has(a.name)) issues.push({ path: ['args', i, 'name'], message: `argument ${JSON.stringify(a.name)} is declared twice` });
    argNames.add(a.name);
  });
  return issues;
}

export const AnalysisTemplate = z
  .looseObject({
    apiVersion: ArgoApiVersion,
    kind: z.literal('AnalysisTemplate'),
    metadata: NamespacedMeta,
    spec: Spec,
    status: z.unknown().optional(),
  })
  .superRefine((t, ctx) => addIssues(ctx, analysisTemplateIssues(t.spec).map((i) => ({ ...i, path: ['spec', ...i.path] }))))
  .transform((t): AnalysisTemplate => withoutStatus(t));

/** `kind: ClusterAnalysisTemplate`: an AnalysisTemplate without a namespace, for every project's stages. */
export const ClusterAnalysisTemplate = z
  .looseObject({
    apiVersion: ArgoApiVersion,
    kind: z.literal('ClusterAnalysisTemplate'),
    metadata: ClusterMeta,
    spec: Spec,
    status: z.unknown().optional(),
  })
  .superRefine((t, ctx) => addIssues(ctx, analysisTemplateIssues(t.spec).map((i) => ({ ...i, path: ['spec', ...i.path] }))))
  .transform((t): ClusterAnalysisTemplate => withoutStatus(t));
