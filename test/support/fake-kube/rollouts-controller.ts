/**
 * A controller loop acting like Argo Rollouts' analysis controller on the fake API server: a new
 * AnalysisRun goes to `status.phase: Running` (with `startedAt`), then to the phase the test
 * chose for it (by name, or a default), with a message, as Rollouts reports it.
 */
import type { FakeKubeServer } from './server.js';

export type AnalysisPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

export interface AnalysisOutcome {
  phase: AnalysisPhase;
  message?: string;
}

export class FakeRolloutsController {
  private readonly outcomes = new Map<string, AnalysisOutcome>();
  private unsubscribe: (() => void) | undefined;
  /** What a run gets when the test chose nothing for it; `Running` leaves it running. */
  defaultOutcome: AnalysisOutcome = { phase: 'Successful' };

  constructor(private readonly server: FakeKubeServer) {}

  start(): this {
    this.unsubscribe = this.server.store.subscribe((e) => {
      if (e.resource !== 'analysisruns' || e.type !== 'ADDED') return;
      const { name } = e.object.metadata;
      setTimeout(() => this.advance(e.namespace, name), 20);
    });
    return this;
  }

  stop(): void {
    this.unsubscribe?.();
  }

  /** Chooses where the run named `name` ends (also for a run that is already Running). */
  decide(namespace: string, name: string, outcome: AnalysisOutcome): void {
    this.outcomes.set(`${namespace}/${name}`, outcome);
    const run = this.server.store.get('analysisruns', namespace, name);
    const phase = (run?.['status'] as { phase?: string } | undefined)?.phase;
    if (run && phase === 'Running') this.finish(namespace, name);
  }

  private advance(namespace: string, name: string): void {
    const run = this.server.store.get('analysisruns', namespace, name);
    if (!run) return;
    run['status'] = { phase: 'Running', startedAt: new Date().toISOString() };
    this.server.store.write('analysisruns', namespace, run);
    setTimeout(() => this.finish(namespace, name), 20);
  }

  private finish(namespace: string, name: string): void {
    const outcome = this.outcomes.get(`${namespace}/${name}`) ?? this.defaultOutcome;
    if (outcome.phase === 'Running' || outcome.phase === 'Pending') return;
    const run = this.server.store.get('analysisruns', namespace, name);
    if (!run) return;
    const status = (run['status'] ?? {}) as Record<string, unknown>;
    if (status['phase'] !== 'Running') return;
    run['status'] = { ...status, phase: outcome.phase, ...(outcome.message ? { message: outcome.message } : {}) };
    this.server.store.write('analysisruns', namespace, run);
  }
}
