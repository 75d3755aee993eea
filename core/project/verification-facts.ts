/**
 * "What it passed": the facts of a stage's latest verification of its current freight, as the
 * stage view shows them (Shunt's `status.lastVerification`): each metric's measurements (values,
 * phases, times) next to the success and failure conditions they were judged by, and the soak
 * served against the one required. Pure: the time is passed in.
 */
import { formatDuration, parseDuration } from '../duration.js';
import type { AnalysisPhase, Measurement } from '../verification/analysis.js';
import type { ProjectState, VerificationRecord } from './state.js';
import { latestOfCurrent, summary, type VerificationSummary } from './verification-status.js';

export interface MetricFacts {
  name: string;
  phase: AnalysisPhase;
  message?: string;
  /** The AnalysisTemplate (`Kind/name`) the metric comes from, when the stage's templates define it. */
  template?: string;
  successCondition?: string;
  failureCondition?: string;
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  measurements: Measurement[];
}

export interface SoakFacts {
  /** The soak the stage's verification asks for (`spec.verification.soak.duration`). */
  required: string;
  /** How much of it the freight has served (whole minutes while soaking). */
  served: string;
  complete: boolean;
  /** While soaking: when it ends. */
  until?: string;
}

export interface VerificationFacts extends VerificationSummary {
  actor?: string;
  metrics: MetricFacts[];
  soak?: SoakFacts;
}

/** Metric name → where it is defined and its conditions, over the stage's analysis templates. */
function metricConditions(state: ProjectState, stage: string): Map<string, { template: string; successCondition?: string; failureCondition?: string }> {
  const out = new Map<string, { template: string; successCondition?: string; failureCondition?: string }>();
  for (const ref of state.specs.stages[stage]?.spec.verification?.analysisTemplates ?? []) {
    const kind = ref.kind ?? 'AnalysisTemplate';
    const template = kind === 'ClusterAnalysisTemplate' ? state.specs.clusterAnalysisTemplates?.[ref.name] : state.specs.analysisTemplates?.[ref.name];
    for (const metric of template?.spec.metrics ?? []) {
      if (out.has(metric.name)) continue;
      out.set(metric.name, {
        template: `${kind}/${ref.name}`,
        ...(metric.successCondition === undefined ? {} : { successCondition: metric.successCondition }),
        ...(metric.failureCondition === undefined ? {} : { failureCondition: metric.failureCondition }),
      });
    }
  }
  return out;
}

function soakFacts(state: ProjectState, stage: string, record: VerificationRecord, nowMs: number): SoakFacts | undefined {
  const duration = state.specs.stages[stage]?.spec.verification?.soak?.duration;
  if (duration === undefined) return undefined;
  const requiredMs = parseDuration(duration, { days: true });
  let servedMs = 0;
  if (record.phase === 'Successful') servedMs = requiredMs;
  // In whole minutes while soaking, so that a stage's view (and its event stream) changes once a minute, not on every read.
  else if (record.soakUntil !== undefined) servedMs = Math.min(requiredMs, Math.floor(Math.max(0, requiredMs - (Date.parse(record.soakUntil) - nowMs)) / 60_000) * 60_000);
  return {
    required: formatDuration(requiredMs),
    served: formatDuration(servedMs),
    complete: servedMs >= requiredMs,
    ...(record.soakUntil === undefined || record.phase === 'Successful' ? {} : { until: record.soakUntil }),
  };
}

/** The facts of the stage's latest verification of its current freight; undefined when there is none. */
export function stageVerificationFacts(state: ProjectState, stage: string, nowMs: number): VerificationFacts | undefined {
  const s = state.stages[stage];
  const record = s && latestOfCurrent(s);
  if (!record) return undefined;
  const conditions = metricConditions(state, stage);
  const metrics = (record.metrics ?? []).map((m): MetricFacts => ({
    name: m.name,
    phase: m.phase,
    ...(m.message === undefined ? {} : { message: m.message }),
    ...conditions.get(m.name),
    count: m.count,
    successful: m.successful,
    failed: m.failed,
    inconclusive: m.inconclusive,
    error: m.error,
    measurements: m.measurements,
  }));
  const soak = soakFacts(state, stage, record, nowMs);
  return {
    ...summary(record),
    ...(record.actor === undefined ? {} : { actor: record.actor }),
    metrics,
    ...(soak === undefined ? {} : { soak }),
  };
}
