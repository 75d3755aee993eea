/**
 * Argo Rollouts AnalysisRuns for verification in cluster mode (the contract in
 * coordination.md): an AnalysisRun is made from AnalysisTemplates as Kargo makes it (the
 * templates' metrics together, their args merged, values from the verification's args),
 * created once per name (409 AlreadyExists means an earlier attempt made it), read for its
 * phase, and deleted. Argo Rollouts in the cluster runs it.
 */
import { z } from 'zod';
import { DomainError } from '../../../core/errors.js';
import { parseResponse } from '../../../core/external-response.js';
import { MEASUREMENTS_KEPT, type AnalysisPhase, type Measurement, type MetricResult } from '../../../core/verification/analysis.js';
import { isRecord } from '../../../core/record.js';
import type { KubeClients } from './client.js';
import { isAlreadyExists, isNotFound, kubeError, kubeStatusOf } from './errors.js';

export interface AnalysisRunRequest {
  namespace: string;
  /** Name for the AnalysisRun; unique per verification attempt (idempotent create). */
  name: string;
  /** The AnalysisTemplate manifest objects (argoproj.io/v1alpha1) whose metrics the run carries. */
  templates: Array<Record<string, unknown>>;
  args: Array<{ name: string; value: string }>;
  labels?: Record<string, string>;
  /** The stage's `verification.analysisRunMetadata.annotations` (Kargo copies them onto the run). */
  annotations?: Record<string, string>;
}

export interface AnalysisRunPhase {
  phase: AnalysisPhase;
  message?: string;
  /** Each metric's result as Argo Rollouts counted it (`status.metricResults`), once it has any. */
  metrics?: MetricResult[];
}

const GROUP = 'argoproj.io';
const VERSION = 'v1alpha1';
const PLURAL = 'analysisruns';
const PHASES = new Set(['Pending', 'Running', 'Successful', 'Failed', 'Error', 'Inconclusive']);

type Json = Record<string, unknown>;

/**
 * The AnalysisRun manifest for `req`.
 * @throws DomainError('BadRequest') for a template without metrics, two metrics of one name, or
 *   an argument no template declares or that ends up without a value.
 */
export function buildAnalysisRun(req: AnalysisRunRequest): Json {
  const metrics: Json[] = [];
  const args = new Map<string, Json>();
  let dryRun: Json[] = [];
  let measurementRetention: Json[] = [];
  for (const [i, template] of req.templates.entries()) {
    const meta = isRecord(template['metadata']) ? template['metadata'] : {};
    const tname = typeof meta['name'] === 'string' ? meta['name'] : `templates[${i}]`;
    const spec = isRecord(template['spec']) ? template['spec'] : {};
    if (!Array.isArray(spec['metrics']) || spec['metrics'].length === 0) {
      throw new DomainError('BadRequest', `AnalysisTemplate ${tname} has no spec.metrics`);
    }
    for (const m of spec['metrics'] as Json[]) {
      if (metrics.some((x) => x['name'] === m['name'])) {
        throw new DomainError('BadRequest', `AnalysisTemplate ${tname}: metric ${String(m['name'])} is defined by two templates`);
      }
      metrics.push(structuredClone(m));
    }
    for (const a of (Array.isArray(spec['args']) ? spec['args'] : []) as Json[]) {
      const name = String(a['name']);
      const prev = args.get(name);
      // Templates may share an argument; one with a value (or valueFrom) wins over none.
      if (!prev || (prev['value'] === undefined && prev['valueFrom'] === undefined)) args.set(name, structuredClone(a));
    }
    if (Array.isArray(spec['dryRun'])) dryRun = [...dryRun, ...(spec['dryRun'] as Json[])];
    if (Array.isArray(spec['measurementRetention'])) measurementRetention = [...measurementRetention, ...(spec['measurementRetention'] as Json[])];
  }
  for (const { name, value } of req.args) {
    const declared = args.get(name);
    if (!declared) throw new DomainError('BadRequest', `verification argument ${JSON.stringify(name)} is not declared by any of the AnalysisTemplates`);
    declared['value'] = value;
    delete declared['valueFrom'];
  }
  for (const [name, a] of args) {
    if (a['value'] === undefined && a['valueFrom'] === undefined) {
      throw new DomainError('BadRequest', `AnalysisTemplate argument ${JSON.stringify(name)} has no value: give it in the stage's verification.args`);
    }
  }
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'AnalysisRun',
    metadata: {
      name: req.name,
      namespace: req.namespace,
      ...(req.labels ? { labels: { ...req.labels } } : {}),
      ...(req.annotations && Object.keys(req.annotations).length > 0 ? { annotations: { ...req.annotations } } : {}),
    },
    spec: {
      metrics,
      ...(args.size > 0 ? { args: [...args.values()] } : {}),
      ...(dryRun.length > 0 ? { dryRun } : {}),
      ...(measurementRetention.length > 0 ? { measurementRetention } : {}),
    },
  };
}

const what = (namespace: string, name: string): string => `AnalysisRun ${JSON.stringify(name)} in namespace ${JSON.stringify(namespace)}`;

/** Creates the AnalysisRun; one that already exists (an earlier attempt) is left as it is. */
export async function createAnalysisRun(clients: KubeClients, req: AnalysisRunRequest): Promise<void> {
  const body = buildAnalysisRun(req);
  try {
    await clients.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: req.namespace, plural: PLURAL, body });
  } catch (err) {
    if (isAlreadyExists(err)) return;
    if (namespaceMissing(err)) {
      throw new DomainError(
        'FailedPrecondition',
        `creating ${what(req.namespace, req.name)}: the namespace ${JSON.stringify(req.namespace)} does not exist; AnalysisRuns live in the project's namespace (Kargo creates one per project): create it, with the Role README documents ("Argo CD")`,
      );
    }
    if (isNotFound(err)) {
      // The resource itself is missing: Argo Rollouts (its CRDs) is not installed in the cluster.
      throw new DomainError(
        'FailedPrecondition',
        `creating ${what(req.namespace, req.name)}: the Kubernetes API server ${clients.server} has no AnalysisRun resource (argoproj.io/v1alpha1): Argo Rollouts is not installed in the cluster`,
      );
    }
    throw await kubeError(clients, err, `creating ${what(req.namespace, req.name)}`);
  }
}

/*
 * What Shunt reads of an AnalysisRun's status. Counts and texts are optional (Go's omitempty);
 * phases stay strings, so a phase this Shunt does not know is reported as an Error with its name
 * rather than as an unreadable answer.
 */
const MeasurementStatus = z.looseObject({
  phase: z.string().optional(),
  value: z.string().optional(),
  message: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
});
const Count = z.number().optional();
const MetricStatus = z.looseObject({
  name: z.string(),
  phase: z.string().optional(),
  message: z.string().optional(),
  count: Count,
  successful: Count,
  failed: Count,
  inconclusive: Count,
  error: Count,
  consecutiveError: Count,
  measurements: z.array(MeasurementStatus).nullish(),
});
const AnalysisRunStatus = z.looseObject({
  status: z.looseObject({ phase: z.string().optional(), message: z.string().optional(), metricResults: z.array(MetricStatus).nullish() }).nullish(),
});

/** The run's phase as Argo Rollouts reports it (`Pending` until it sets one). @throws NotFound. */
export async function readAnalysisRunPhase(clients: KubeClients, namespace: string, name: string): Promise<AnalysisRunPhase> {
  let answer: unknown;
  try {
    answer = await clients.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name });
  } catch (err) {
    if (isNotFound(err)) throw new DomainError('NotFound', `${what(namespace, name)} not found`);
    throw await kubeError(clients, err, `reading ${what(namespace, name)}`);
  }
  const endpoint = `reading ${what(namespace, name)}: the Kubernetes API server ${clients.server}`;
  const status = parseResponse(AnalysisRunStatus, answer, endpoint, (message) => new DomainError('StepFailed', message)).status ?? {};
  const raw = text(status.phase) ?? 'Pending';
  const phase = knownPhase(raw);
  const message = text(status.message) ?? (PHASES.has(raw) ? undefined : `Argo Rollouts reported an unknown phase ${JSON.stringify(raw)}`);
  const metrics = (status.metricResults ?? []).map(toMetricResult);
  return { phase, ...(message !== undefined ? { message } : {}), ...(metrics.length ? { metrics } : {}) };
}

const text = (v: string | undefined): string | undefined => (v === '' ? undefined : v);
const MEASUREMENT_PHASES: ReadonlySet<string> = new Set<Measurement['phase']>(['Successful', 'Failed', 'Inconclusive', 'Error']);
const isMeasurementPhase = (p: string): p is Measurement['phase'] => MEASUREMENT_PHASES.has(p);
const isAnalysisPhase = (p: string): p is AnalysisPhase => PHASES.has(p);
const knownPhase = (p: string): AnalysisPhase => (isAnalysisPhase(p) ? p : 'Error');

/** One entry of Argo Rollouts' `status.metricResults`, as Shunt's verification history keeps it. */
function toMetricResult(m: z.infer<typeof MetricStatus>): MetricResult {
  const measurements: Measurement[] = (m.measurements ?? []).slice(-MEASUREMENTS_KEPT).map((x) => {
    const value = text(x.value);
    const message = text(x.message);
    const mphase = text(x.phase) ?? 'Error';
    return {
      phase: isMeasurementPhase(mphase) ? mphase : 'Error',
      ...(value !== undefined ? { value } : {}),
      ...(message !== undefined ? { message } : {}),
      finishedAt: text(x.finishedAt) ?? text(x.startedAt) ?? '',
    };
  });
  const message = text(m.message);
  return {
    name: m.name,
    phase: knownPhase(text(m.phase) ?? 'Pending'),
    count: m.count ?? 0,
    successful: m.successful ?? 0,
    failed: m.failed ?? 0,
    inconclusive: m.inconclusive ?? 0,
    error: m.error ?? 0,
    consecutiveError: m.consecutiveError ?? 0,
    measurements,
    ...(message !== undefined ? { message } : {}),
  };
}

/** A 404 for the namespace itself (the API server names it in `details`), not for the CRD. */
function namespaceMissing(err: unknown): boolean {
  const status = kubeStatusOf(err);
  if (status?.code !== 404 || !isRecord(err)) return false;
  let body: unknown = err['body'];
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return false;
    }
  }
  const details = isRecord(body) && isRecord(body['details']) ? body['details'] : {};
  return details['kind'] === 'namespaces';
}

/** Deletes the run; one already gone is fine. */
export async function deleteAnalysisRun(clients: KubeClients, namespace: string, name: string): Promise<void> {
  try {
    await clients.custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name });
  } catch (err) {
    if (isNotFound(err)) return;
    throw await kubeError(clients, err, `deleting ${what(namespace, name)}`);
  }
}
