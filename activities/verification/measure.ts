/**
 * One measurement of an analysis metric, natively for the `web` and `prometheus` providers: ask
 * the endpoint, pick the value, check it against the metric's conditions. Failures to measure
 * (unreachable, non-2xx, bad JSON) are an `Error` measurement, never a thrown error: Argo counts
 * them against `consecutiveErrorLimit`.
 */
import type { AnalysisMetric } from '../../core/model.js';
import type { Measurement } from '../../core/verification/analysis.js';
import { egressFetch } from '../adapters/egress/egress-connect.js';
import { assessValue, jsonPathValue, prometheusResult } from '../../core/verification/conditions.js';

/** The longest value kept in a measurement (history stays small). */
const MAX_VALUE_CHARS = 500;

export async function measure(metric: AnalysisMetric, now: () => Date = () => new Date()): Promise<Measurement> {
  let value: unknown;
  try {
    value = await fetchValue(metric);
  } catch (err) {
    return { phase: 'Error', message: err instanceof Error ? err.message : String(err), finishedAt: now().toISOString() };
  }
  const outcome = assessValue(metric, value);
  const shown = JSON.stringify(value) ?? 'null';
  return {
    phase: outcome.phase,
    value: shown.length > MAX_VALUE_CHARS ? `${shown.slice(0, MAX_VALUE_CHARS)}…` : shown,
    ...(outcome.message ? { message: outcome.message } : {}),
    finishedAt: now().toISOString(),
  };
}

async function fetchValue(metric: AnalysisMetric): Promise<unknown> {
  const { web, prometheus } = metric.provider;
  if (web) {
    const headers: Record<string, string> = {};
    for (const h of web.headers ?? []) headers[h.key] = h.value;
    const res = await egressFetch(web.url, {
      method: web.method ?? 'GET',
      headers,
      ...(web.body !== undefined ? { body: web.body } : {}),
      signal: AbortSignal.timeout((web.timeoutSeconds ?? 10) * 1000),
    });
    const text = await res.text();
    if (res.status < 200 || res.status >= 300) throw new Error(`received non 2xx response code: ${res.status}`);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new Error(`the response of ${web.url} is not JSON`);
    }
    return jsonPathValue(data, web.jsonPath);
  }
  if (prometheus) {
    const url = new URL('api/v1/query', prometheus.address.endsWith('/') ? prometheus.address : `${prometheus.address}/`);
    url.searchParams.set('query', prometheus.query);
    const res = await egressFetch(url, { signal: AbortSignal.timeout((prometheus.timeout ?? 30) * 1000) });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`Prometheus at ${prometheus.address} answered ${res.status} with a body that is not JSON`);
    }
    return prometheusResult(body);
  }
  const provider = Object.keys(metric.provider)[0] ?? 'none';
  throw new Error(`provider "${provider}" can only run through Argo Rollouts in a cluster; Shunt runs web and prometheus itself`);
}
