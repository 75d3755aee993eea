/**
 * Argo Rollouts' analysis controller is not built here (the real-kube harness builds the
 * Kubernetes and Argo CD servers only): this loop stands in for it against the real API server.
 * It runs each new AnalysisRun's metrics with Shunt's own measurement code (web and prometheus
 * providers, Argo's counting rules from core/verification/analysis.ts) and writes the status as
 * Argo Rollouts does: `phase`, `startedAt`, `message`, and `metricResults` with counts and
 * measurements, `interval` apart (the CRD has no status subresource: a plain update).
 */
import { createKubeClients, type KubeClients } from '../../../activities/adapters/kubernetes/client.js';
import { measure } from '../../../activities/verification/measure.js';
import type { AnalysisMetric } from '../../../core/model.js';
import { assessMetric, intervalMs, isTerminalPhase, newMetricResult, recordMeasurement, runPhase, type MetricResult } from '../../../core/verification/analysis.js';

type Json = Record<string, unknown>;
const API = { group: 'argoproj.io', version: 'v1alpha1', plural: 'analysisruns' };

export class AnalysisController {
  private readonly clients: KubeClients;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  /** Runs this loop finished, by `<namespace>/<name>`. */
  readonly finished: string[] = [];

  constructor(adminKubeconfig: string) {
    this.clients = createKubeClients({ mode: 'kubeconfig', path: adminKubeconfig });
  }

  start(): this {
    this.timer = setInterval(() => void this.tick(), 300);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const list = (await this.clients.custom.listClusterCustomObject(API)) as { items?: Json[] };
      for (const run of list.items ?? []) {
        const status = (run['status'] ?? {}) as Json;
        if (typeof status['phase'] === 'string' && isTerminalPhase(status['phase'] as MetricResult['phase'])) continue;
        await this.runAnalysis(run);
      }
    } catch {
      /* the API server restarting, a conflicting write: the next tick tries again */
    } finally {
      this.busy = false;
    }
  }

  private async runAnalysis(run: Json): Promise<void> {
    const meta = run['metadata'] as { name: string; namespace: string };
    const spec = run['spec'] as { metrics: AnalysisMetric[]; args?: Array<{ name: string; value?: string }> };
    const args = new Map((spec.args ?? []).map((a) => [a.name, a.value ?? '']));
    const startedAt = new Date().toISOString();
    const results: MetricResult[] = [];
    for (const raw of spec.metrics) {
      const metric = JSON.parse(JSON.stringify(raw).replace(/\{\{\s*args\.([\w-]+)\s*\}\}/g, (_m, n: string) => args.get(n) ?? '')) as AnalysisMetric;
      const result = newMetricResult(metric.name);
      const times = Math.max(1, Number(metric.count ?? 1));
      for (let i = 0; i < times && !isTerminalPhase(result.phase); i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, intervalMs(metric)));
        recordMeasurement(result, metric, await measure(metric));
      }
      if (!isTerminalPhase(result.phase)) result.phase = assessMetric(result, metric, true).phase;
      results.push(result);
    }
    const phase = runPhase(results);
    const message = results.find((r) => r.phase === phase && r.message)?.message;
    await this.clients.custom.replaceNamespacedCustomObject({
      ...API,
      namespace: meta.namespace,
      name: meta.name,
      body: {
        ...run,
        status: {
          phase,
          startedAt,
          ...(message ? { message } : {}),
          metricResults: results.map((r) => ({
            name: r.name,
            phase: r.phase,
            count: r.count,
            successful: r.successful,
            failed: r.failed,
            inconclusive: r.inconclusive,
            error: r.error,
            consecutiveError: r.consecutiveError,
            ...(r.message ? { message: r.message } : {}),
            measurements: r.measurements.map((m) => ({ phase: m.phase, value: m.value, startedAt, finishedAt: m.finishedAt, ...(m.message ? { message: m.message } : {}) })),
          })),
        },
      },
    });
    this.finished.push(`${meta.namespace}/${meta.name}`);
  }
}
