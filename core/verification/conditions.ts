/**
 * A measurement's value against its metric's `successCondition` / `failureCondition`, in the
 * expr-lang dialect Argo Rollouts uses (our own evaluator, core/expressions), with Argo's helper
 * functions (`asInt`, `asFloat`, `isNaN`, `isInf`, `isNil`, `default`) and the value as `result`.
 */
import { evaluateExpression, type ExpressionFunction } from '../expressions/index.js';
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
export function prometheusResult(body: unknown): unknown {
  const b = body as { status?: unknown; error?: unknown; data?: { resultType?: unknown; result?: unknown } } | null;
  if (!b || b.status !== 'success') throw new Error(`Prometheus answered ${b && typeof b.error === 'string' ? `with an error: ${b.error}` : 'without status "success"'}`);
  const type = b.data?.resultType;
  const result = b.data?.result;
  if (type === 'vector' && Array.isArray(result)) {
    return result.map((sample) => Number.parseFloat(String((sample as { value?: unknown[] }).value?.[1])));
  }
  if (type === 'scalar' && Array.isArray(result)) return Number.parseFloat(String(result[1]));
  throw new Error(`Prometheus metric type not supported: ${String(type)}`);
}
