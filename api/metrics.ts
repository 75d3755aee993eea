/**
 * The api's /metrics: its own HTTP metrics, the per-stage promotion queues read from the
 * project workflows at scrape time (a gauge: what is queued now), and the worker's metrics
 * (promotions, steps, verifications, scans) appended from where the worker serves them.
 */
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StateSize } from '../core/project/state.js';
import type { ShuntBackend } from './backend.js';
import { API_PREFIX_PATH } from './paths.js';
import { logOf } from './request-context.js';

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'shunt_api_requests_total',
    help: 'HTTP requests answered by the api, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  private readonly requestDuration = new Histogram({
    name: 'shunt_api_request_duration_seconds',
    help: 'Time the api took to answer, by method and route pattern.',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });

  constructor(backend: ShuntBackend, options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'shunt_api_' });
    const queued = new Gauge({
      name: 'shunt_stage_queue_depth',
      help: 'Promotions waiting in a stage queue (not yet running), by project and stage.',
      labelNames: ['project', 'stage'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { project, stage, queue } of await stageQueues(backend)) this.set({ project, stage }, queue);
      },
    });
    const running = new Gauge({
      name: 'shunt_stage_promotion_running',
      help: '1 while a promotion runs in the stage, else 0, by project and stage.',
      labelNames: ['project', 'stage'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { project, stage, running: r } of await stageQueues(backend)) this.set({ project, stage }, r ? 1 : 0);
      },
    });
    const stateBytes = new Gauge({
      name: 'shunt_project_state_bytes',
      help: "Size of the project workflow's state as JSON, as the workflow last measured it (core/project/state-budget.ts), by project.",
      labelNames: ['project'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { project, size } of await projectSizes(backend)) this.set({ project }, size.bytes);
      },
    });
    const stateBudget = new Gauge({
      name: 'shunt_project_state_budget_bytes',
      help: "The project state's size budget: changes that would pass it are refused. The workflow warns past half of it.",
      labelNames: ['project', 'threshold'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { project, size } of await projectSizes(backend)) {
          this.set({ project, threshold: 'refuse' }, size.budgetBytes);
          this.set({ project, threshold: 'warn' }, size.warnBytes);
        }
      },
    });
    void queued;
    void running;
    void stateBytes;
    void stateBudget;
  }

  /** Counts every answered request under a bounded route label. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        // The matched route's pattern (bounded), else a fixed label.
        const pattern = (req.route as { path?: unknown } | undefined)?.path;
        const path = req.originalUrl.split('?')[0] ?? '';
        const prefix = path.startsWith(`${API_PREFIX_PATH}/`) ? API_PREFIX_PATH : '';
        const route = typeof pattern === 'string' ? `${prefix}${pattern}` : routeLabel(path);
        this.requests.inc({ method: req.method, route, status: String(res.statusCode) });
        this.requestDuration.observe({ method: req.method, route }, Number(process.hrtime.bigint() - started) / 1e9);
      });
      next();
    };
  }

  /** GET /metrics: this registry, then the worker's when `workerMetrics` is given. */
  handler(workerMetrics?: () => Promise<string>): RequestHandler {
    return async (_req, res) => {
      let text = await this.registry.metrics();
      if (workerMetrics) {
        try {
          text += `\n${await workerMetrics()}`;
        } catch (err) {
          logOf(res).warn({ err }, 'worker metrics unavailable');
          text += `\n# worker metrics unavailable: ${String(err instanceof Error ? err.message : err).split('\n')[0]}\n`;
        }
      }
      res.setHeader('content-type', this.registry.contentType);
      res.send(text);
    };
  }
}

async function stageQueues(backend: ShuntBackend): Promise<{ project: string; stage: string; queue: number; running: boolean }[]> {
  const out: { project: string; stage: string; queue: number; running: boolean }[] = [];
  for (const summary of await backend.listProjects()) {
    const state = await backend.getProject(summary.name);
    for (const stage of Object.keys(state.specs.stages)) {
      const s = state.stages[stage];
      out.push({ project: summary.name, stage, queue: s?.queue.length ?? 0, running: s?.currentPromotion !== undefined });
    }
  }
  return out;
}

/** Each project's last measured state size; projects not measured yet (older runs) are left out. */
async function projectSizes(backend: ShuntBackend): Promise<{ project: string; size: StateSize }[]> {
  const out: { project: string; size: StateSize }[] = [];
  for (const summary of await backend.listProjects()) {
    const { size } = await backend.getProject(summary.name);
    if (size) out.push({ project: summary.name, size });
  }
  return out;
}

function routeLabel(path: string): string {
  if (path.startsWith(`${API_PREFIX_PATH}/`)) return `${API_PREFIX_PATH}/(unmatched)`;
  if (['/healthz', '/metrics', '/openapi.json', '/'].includes(path)) return path;
  return path.startsWith('/webhooks/') ? '/webhooks/*' : 'other';
}

/** Fetches the worker's metrics text from where it serves them. */
export function fetchWorkerMetrics(url: string): () => Promise<string> {
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return response.text();
  };
}
