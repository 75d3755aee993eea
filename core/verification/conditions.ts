/**
 * A measurement's value against its metric's `successCondition` / `failureCondition`, in the
 * expr-lang dialect Argo Rollouts uses (our own evaluator, core/expressions), with Argo's helper
 * functions (`asInt`, `asFloat`, `isNaN`, `isInf`, `isNil`, `default`) and the value as `result`.
 */
import { z } from 'zod';
import { evaluateExpression, type ExpressionFunction } from '../expressions/index.js';
import { parseResponse } from '../external-response.js';
import type { AnalysisMetric } from '../model.js';
import { measurementPhase, type MeasurementPhase } from './analysis.js';

const ARGO_FUNCTIONS: Record<string, ExpressionFunction> = {
  asInt: (v) => {
    const n = typeof v === 'number' ? v : Number.parseInt(String(v), 10);
    if (!Number.isFinite(n)) throw new Error(`asInt: ${JSON.stringify(v)} is not an integer`);
    return Math.trunc(n);
  },
  asFloat: (v) => {
    const n = typeof v === 'number' ? v : Number.parseFloat(String(v));
    if (Number.isNaN(n) && String(v).toLowerCase() !== 'nan') throw new Error(`asFloat: ${JSON.stringify(v)} is not a number`);
    return n;
  },
  isNaN: (v) => typeof v === 'number' && Number.isNaN(v),
  isInf: (v) => v === Infinity || v === -Infinity,
  isNil: (v) => v === null || v === undefined,
  default: (v, fallback) => (v === null || v === undefined ? fallback : v),
};

export interface ConditionOutcome {
  phase: MeasurementPhase;
  message?: string;
}

/** The phase of one measurement; an expression that fails or is not boolean makes it Error. */
export function assessValue(metric: Pick<AnalysisMetric, 'successCondition' | 'failureCondition'>, result: unknown): ConditionOutcome {
  const check = (field: 'successCondition' | 'failureCondition'): boolean => {
    const condition = metric[field];
    if (!condition) return false;
    // Argo Rollouts compiles with expr.Env(env) (utils/evaluate/evaluate.go): an unknown name is an error.
    const value = evaluateExpression(condition, { variables: { result }, functions: ARGO_FUNCTIONS, unknownNames: 'error' });
    if (typeof value !== 'boolean') {
      throw new Error(`${field} "${condition}" gave ${JSON.stringify(value)}, expected true or false`);
    }
    return value;
  };
  try {
    const success = check('successCondition');
    const failure = check('failureCondition');
    return { phase: measurementPhase(metric, success, failure) };
  } catch (err) {
    return { phase: 'Error', message: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Kubernetes JSONPath as Argo's web provider uses it, for the common forms: `{$}`, `{$.a.b}`,
 * `{$.items[0].x}`, `{.a}`, and `{$['key with dots']}`.
 */
export function jsonPathValue(data: unknown, path: string | undefined): unknown {
  if (!path || path.trim() === '{$}' || path.trim() === '$') return data;
  const inner = path.trim().replace(/^\{/, '').replace(/\}$/, '').replace(/^\$/, '');
  const tokens = [...inner.matchAll(/\.([^.[\]]+)|\[(\d+)\]|\[['"]([^'"]+)['"]\]/g)];
  if (tokens.map((t) => t[0]).join('') !== inner) throw new Error(`unsupported jsonPath ${JSON.stringify(path)}`);
  let current: unknown = data;
  for (const t of tokens) {
    const key = t[1] ?? t[3];
    if (key !== undefined) {
      if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.prototype.hasOwnProperty.call(current, key)) {
        throw new Error(`jsonPath ${path}: "${key}" not found`);
      }
      current = (current as Record<string, unknown>)[key];
    } else {
      const index = Number(t[2]);
      if (!Array.isArray(current) || index >= current.length) throw new Error(`jsonPath ${path}: index ${index} not found`);
      current = current[index];
    }
  }
  return current;
}

/**
 * Prometheus's `/api/v1/query` answer as Argo's provider hands it to conditions: a vector becomes
 * an array of numbers, a scalar a number; other result types are an error.
 */
/*
 * Prometheus' /api/v1/query answer (https://prometheus.io/docs/prometheus/latest/querying/api/):
 * `{status, error?, data: {resultType, result}}`; a sample's value is `[time, "<number>"]`.
 */
const PrometheusStatus = z.object({ status: z.unknown(), error: z.unknown() }).partial();
const PrometheusResultType = z.object({ data: z.object({ resultType: z.string() }) });
const SampleValue = z.tuple([z.unknown(), z.string()]);
const PrometheusVector = z.object({ data: z.object({ result: z.array(z.object({ value: SampleValue })) }) });
const PrometheusScalar = z.object({ data: z.object({ result: SampleValue }) });

const badAnswer = (message: string): Error => new Error(message);

export function prometheusResult(body: unknown): unknown {
  const head = PrometheusStatus.safeParse(body);
  if (!head.success || head.data.status !== 'success') {
    const error = head.success && typeof head.data.error === 'string' ? head.data.error : undefined;
    throw new Error(`Prometheus answered ${error !== undefined ? `with an error: ${error}` : 'without status "success"'}`);
  }
  const type = parseResponse(PrometheusResultType, body, 'Prometheus', badAnswer).data.resultType;
  if (type === 'vector') return parseResponse(PrometheusVector, body, 'Prometheus', badAnswer).data.result.map((sample) => Number.parseFloat(sample.value[1]));
  if (type === 'scalar') return Number.parseFloat(parseResponse(PrometheusScalar, body, 'Prometheus', badAnswer).data.result[1]);
  throw new Error(`Prometheus metric type not supported: ${type}`);
}
