/** A thin client of Shunt's REST API for the crash, fault and load tests and the benchmarks. */
import { eventually } from './poll.js';
export interface PromotionItem {
  metadata: { name: string };
  spec?: { stage?: string };
  status: {
    phase: string;
    message?: string;
    freight?: { name: string };
    workflowId?: string;
    startedAt?: string;
    finishedAt?: string;
    stepExecutionMetadata?: { alias: string; uses: string; status: string; errorCount: number; message?: string }[];
    /** The steps' outputs, by alias. */
    state?: Record<string, Record<string, unknown>>;
  };
}

export interface FreightItem {
  metadata: { name: string };
  alias: string;
  images: { tag: string }[];
}

export class ShuntApi {
  constructor(private readonly base: () => string) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.base()}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  private async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request<T>(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async apply(name: string, content: string): Promise<void> {
    await this.ok('POST', '/api/v1/apply', { files: [{ name, content }] });
  }

  async freight(project: string): Promise<FreightItem[]> {
    return (await this.ok<{ items: FreightItem[] }>('GET', `/api/v1/projects/${project}/freight`)).items;
  }

  async promote(project: string, stage: string, freight: string): Promise<string> {
    const p = await this.ok<PromotionItem>('POST', `/api/v1/projects/${project}/promotions`, { stage, freight });
    return p.metadata.name;
  }

  async promotions(project: string): Promise<PromotionItem[]> {
    return (await this.ok<{ items: PromotionItem[] }>('GET', `/api/v1/projects/${project}/promotions`)).items;
  }

  /**
   * One promotion; while it runs, its steps as the promotion workflow reports them. With `waitMs`
   * (at most 60 s), the api answers once it has ended or after that long (`?wait=`).
   */
  async promotion(project: string, name: string, waitMs?: number): Promise<PromotionItem> {
    const wait = waitMs === undefined ? '' : `?wait=${Math.ceil(waitMs)}ms`;
    return this.ok<PromotionItem>('GET', `/api/v1/projects/${project}/promotions/${name}${wait}`);
  }

  /** Waits until the promotion has finished, as `shunt promote --wait` does (the api waits); returns it. */
  async finished(project: string, name: string, timeoutMs = 180_000): Promise<PromotionItem> {
    const deadline = Date.now() + timeoutMs;
    return eventually(async () => {
      const p = await this.promotion(project, name, Math.max(1, Math.min(60_000, deadline - Date.now())));
      return ['Running', 'Pending'].includes(p.status.phase) ? undefined : p;
    }, `promotion ${name} to finish`, timeoutMs);
  }

  /** The freight a stage holds now (Kargo's freightSummary for one requested origin). */
  async stageFreight(project: string, stage: string): Promise<string> {
    return (await this.ok<{ status: { freightSummary: string } }>('GET', `/api/v1/projects/${project}/stages/${stage}`)).status
      .freightSummary;
  }
}
