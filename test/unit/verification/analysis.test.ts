import type { AnalysisMetric } from '../../../core/model.js';
import {
  assessMetric,
  effectiveCount,
  measurementPhase,
  newMetricResult,
  recordMeasurement,
  runPhase,
  type MeasurementPhase,
  type MetricResult,
} from '../../../core/verification/analysis.js';
import { resolveArgs, substituteArgs } from '../../../core/verification/args.js';
import { assessValue, jsonPathValue, prometheusResult } from '../../../core/verification/conditions.js';

const metric = (over: Partial<AnalysisMetric> = {}): AnalysisMetric => ({ name: 'm', provider: { web: { url: 'http://x' } }, ...over });

describe('measurementPhase (Argo EvaluateResult)', () => {
  it.each<[string | undefined, string | undefined, boolean, boolean, MeasurementPhase]>([
    [undefined, undefined, false, false, 'Successful'],
    ['s', undefined, true, false, 'Successful'],
    ['s', undefined, false, false, 'Failed'],
    [undefined, 'f', false, false, 'Successful'],
    [undefined, 'f', false, true, 'Failed'],
    ['s', 'f', true, false, 'Successful'],
    ['s', 'f', false, true, 'Failed'],
    ['s', 'f', true, true, 'Failed'],
    ['s', 'f', false, false, 'Inconclusive'],
  ])('success=%s failure=%s (%s, %s) → %s', (successCondition, failureCondition, success, failure, expected) => {
    const conditions = { ...(successCondition ? { successCondition } : {}), ...(failureCondition ? { failureCondition } : {}) };
    expect(measurementPhase(conditions, success, failure)).toBe(expected);
  });
});

describe('recordMeasurement (Argo counting and assessMetricStatus)', () => {
  const at = '2026-01-01T00:00:00Z';
  function run(m: AnalysisMetric, phases: MeasurementPhase[]): MetricResult {
    const r = newMetricResult(m.name);
    for (const phase of phases) recordMeasurement(r, m, { phase, finishedAt: at });
    return r;
  }

  it.each<[string, Partial<AnalysisMetric>, MeasurementPhase[], string]>([
    ['one success, count 1', {}, ['Successful'], 'Successful'],
    ['one failure with the default failureLimit 0', {}, ['Failed'], 'Failed'],
    ['one failure within failureLimit 1, count 3', { count: 3, interval: '1s', failureLimit: 1 }, ['Failed'], 'Running'],
    ['two failures over failureLimit 1', { count: 3, interval: '1s', failureLimit: 1 }, ['Failed', 'Failed'], 'Failed'],
    ['failureLimit -1 never fails', { count: 2, interval: '1s', failureLimit: -1 }, ['Failed', 'Failed'], 'Successful'],
    ['an inconclusive measurement', {}, ['Inconclusive'], 'Inconclusive'],
    ['one inconclusive within inconclusiveLimit 1', { count: 2, interval: '1s', inconclusiveLimit: 1 }, ['Inconclusive', 'Successful'], 'Successful'],
    ['errors do not count as measurements', {}, ['Error', 'Error'], 'Running'],
    ['five consecutive errors (limit 4)', {}, ['Error', 'Error', 'Error', 'Error', 'Error'], 'Error'],
    ['a success resets consecutive errors', { count: 2, interval: '1s' }, ['Error', 'Error', 'Error', 'Error', 'Successful', 'Error'], 'Running'],
    ['consecutiveErrorLimit 0', { consecutiveErrorLimit: 0 }, ['Error'], 'Error'],
    ['an interval without count runs on', { interval: '1m' }, ['Successful', 'Successful', 'Successful'], 'Running'],
  ])('%s → %s', (_, over, phases, expected) => {
    expect(run(metric(over), phases).phase).toBe(expected);
  });

  it('says why it failed, as Argo words it', () => {
    expect(run(metric({ failureLimit: 1, count: 3, interval: '1s' }), ['Failed', 'Failed']).message).toBe(
      'metric "m" assessed Failed due to failed (2) > failureLimit (1)',
    );
  });

  it('keeps only the last 10 measurements', () => {
    expect(run(metric({ interval: '1s' }), Array(15).fill('Successful')).measurements).toHaveLength(10);
  });

  it('counts a running metric as successful once the run is terminating', () => {
    const r = run(metric({ interval: '1m' }), ['Successful']);
    expect(assessMetric(r, metric({ interval: '1m' }), true).phase).toBe('Successful');
  });

  it.each<[Partial<AnalysisMetric>, number | undefined]>([
    [{}, 1],
    [{ count: 5, interval: '1s' }, 5],
    [{ interval: '1s' }, undefined],
    [{ count: 0, interval: '1s' }, undefined],
  ])('effectiveCount(%j) = %s', (over, expected) => {
    expect(effectiveCount(metric(over))).toBe(expected);
  });
});

describe('runPhase (Argo assessRunStatus)', () => {
  const r = (phase: MetricResult['phase']): MetricResult => ({ ...newMetricResult('x'), phase });
  it.each<[MetricResult['phase'][], string]>([
    [[], 'Successful'],
    [['Successful', 'Successful'], 'Successful'],
    [['Successful', 'Running'], 'Running'],
    [['Successful', 'Inconclusive'], 'Inconclusive'],
    [['Inconclusive', 'Error'], 'Error'],
    [['Error', 'Failed', 'Successful'], 'Failed'],
  ])('%j → %s', (phases, expected) => {
    expect(runPhase(phases.map(r))).toBe(expected);
  });
});

describe('assessValue (conditions over `result`)', () => {
  it.each<[Partial<AnalysisMetric>, unknown, string]>([
    [{ successCondition: 'result == true' }, true, 'Successful'],
    [{ successCondition: 'result == true' }, false, 'Failed'],
    [{ successCondition: 'result[0] >= 0.95' }, [0.97], 'Successful'],
    [{ successCondition: 'result[0] >= 0.95' }, [0.5], 'Failed'],
    [{ successCondition: 'len(result) > 0 && result[0] < 100' }, [42], 'Successful'],
    [{ failureCondition: 'result.errors > 5' }, { errors: 9 }, 'Failed'],
    [{ successCondition: 'result > 1', failureCondition: 'result < 0' }, 0, 'Inconclusive'],
    [{ successCondition: 'asInt(result) == 3' }, '3', 'Successful'],
    [{ successCondition: 'asFloat(result) > 2.5' }, '2.75', 'Successful'],
    [{ successCondition: 'isNil(result)' }, null, 'Successful'],
    [{ successCondition: 'default(result, 7) == 7' }, null, 'Successful'],
  ])('%j with result %j → %s', (conditions, value, expected) => {
    expect(assessValue(conditions, value).phase).toBe(expected);
  });

  it.each<[Partial<AnalysisMetric>, unknown, RegExp]>([
    [{ successCondition: 'result' }, 3, /^successCondition "result" gave 3, expected true or false$/],
    [{ successCondition: 'result[0] > 1' }, [], /index out of range|out of bounds|0/],
    [{ successCondition: 'nope(result)' }, 1, /nope/],
  ])('makes %j with %j an Error measurement', (conditions, value, message) => {
    const outcome = assessValue(conditions, value);
    expect(outcome.phase).toBe('Error');
    expect(outcome.message).toMatch(message);
  });
});

describe('jsonPathValue', () => {
  const data = { data: { ok: true, items: [{ n: 1 }, { n: 2 }], 'a.b': 'dots' } };
  it.each<[string | undefined, unknown]>([
    [undefined, data],
    ['{$}', data],
    ['{$.data.ok}', true],
    ['{.data.ok}', true],
    ['{$.data.items[1].n}', 2],
    ["{$.data['a.b']}", 'dots'],
  ])('%s', (path, expected) => {
    expect(jsonPathValue(data, path)).toEqual(expected);
  });

  it.each([['{$.data.missing}', /"missing" not found/], ['{$.data.items[5]}', /index 5 not found/], ['{$..x}', /unsupported jsonPath/]])(
    'refuses %s',
    (path, message) => {
      expect(() => jsonPathValue(data, path)).toThrow(message);
    },
  );
});

describe('prometheusResult (the /api/v1/query wire format)', () => {
  it('turns a vector into numbers and a scalar into a number', () => {
    const vector = { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1700000000, '0.97'] }] } };
    expect(prometheusResult(vector)).toEqual([0.97]);
    expect(prometheusResult({ status: 'success', data: { resultType: 'scalar', result: [1700000000, '3'] } })).toBe(3);
    expect(prometheusResult({ status: 'success', data: { resultType: 'vector', result: [] } })).toEqual([]);
  });

  it.each([
    [{ status: 'error', errorType: 'bad_data', error: 'parse error at char 4' }, 'Prometheus answered with an error: parse error at char 4'],
    [{ status: 'success', data: { resultType: 'matrix', result: [] } }, 'Prometheus metric type not supported: matrix'],
  ])('refuses %j', (body, message) => {
    expect(() => prometheusResult(body)).toThrow(message);
  });
});

describe('args', () => {
  const template = (args: { name: string; value?: string }[]) => ({
    apiVersion: 'argoproj.io/v1alpha1' as const,
    kind: 'AnalysisTemplate' as const,
    metadata: { name: 't', namespace: 'demo' },
    spec: { args, metrics: [metric()] },
  });

  it('takes stage values over template defaults and substitutes them everywhere in a metric', () => {
    const { values, issues } = resolveArgs([template([{ name: 'host' }, { name: 'min', value: '0.9' }])], [{ name: 'host', value: 'app.dev' }]);
    expect(issues).toEqual([]);
    const m = substituteArgs(
      metric({ successCondition: 'result >= {{ args.min }}', provider: { web: { url: 'http://{{args.host}}/h', headers: [{ key: 'X', value: '{{args.host}}' }] } } }),
      values,
    );
    expect(m.successCondition).toBe('result >= 0.9');
    expect(m.provider.web).toEqual({ url: 'http://app.dev/h', headers: [{ key: 'X', value: 'app.dev' }] });
  });

  it('names args without a value and args no template declares', () => {
    expect(resolveArgs([template([{ name: 'host' }])], [{ name: 'other', value: 'x' }]).issues).toEqual([
      'AnalysisTemplate t: argument "host" has no value: set it in the stage\'s verification.args',
      'verification.args: argument "other" is not declared by any of the stage\'s analysis templates',
    ]);
  });
});
