import { DomainError } from '../errors.js';
import type { AnalysisTemplate, AnalysisTemplateReference, Stage } from '../model.js';
import { monotonicUlid } from '../ulid.js';
import { resolveArgs } from '../verification/args.js';
import { argsUseExpressions, type ArgExpressionEnv } from '../verification/arg-expressions.js';
import { settleControlFlowStages } from './control-flow.js';
import type { ProjectSpecSet, ProjectState, VerificationPhase, VerificationRecord } from './state.js';

/** Kargo keeps the last 10 verifications of each freight collection. */
export const VERIFICATION_HISTORY_LENGTH = 10;

/** Whether promotions into the stage are followed by a verification (analysis and/or soak). */
export function verificationConfigured(stage: Stage | undefined): boolean {
  return Boolean(stage?.spec.verification?.analysisTemplates?.length || stage?.spec.verification?.soak);
}

/**
 * What is wrong with the stages' verification settings: templates that do not exist in the
 * project, ClusterAnalysisTemplates (not supported), args without values or not declared.
 */
export function verificationIssues(specs: ProjectSpecSet): string[] {
  const issues: string[] = [];
  for (const stage of Object.values(specs.stages)) {
    const v = stage.spec.verification;
    if (!v?.analysisTemplates?.length) continue;
    const label = `Stage ${stage.metadata.name}: spec.verification`;
    const found: AnalysisTemplate[] = [];
    for (const [i, ref] of v.analysisTemplates.entries()) {
      const t = templateFor(specs, ref);
      if (!t) {
        issues.push(
          ref.kind === 'ClusterAnalysisTemplate'
            ? `${label}.analysisTemplates[${i}].name: unknown ClusterAnalysisTemplate "${ref.name}"; apply it first (or in the same files)`
            : `${label}.analysisTemplates[${i}].name: unknown AnalysisTemplate "${ref.name}"; apply it in the project first (or in the same files)`,
        );
      } else found.push(t);
    }
    if (found.length === v.analysisTemplates.length) {
      issues.push(...resolveArgs(found, v.args ?? []).issues.map((m) => `${label}: ${m}`));
    }
  }
  return issues;
}

/** The templates a stage's verification runs, in order (apply checked that they exist). */
export function stageTemplates(state: ProjectState, stage: Stage): AnalysisTemplate[] {
  return (stage.spec.verification?.analysisTemplates ?? []).flatMap((ref) => {
    const t = templateFor(state.specs, ref);
    return t ? [t] : [];
  });
}

/**
 * The template a stage's reference names: the project's AnalysisTemplate, or with
 * `kind: ClusterAnalysisTemplate` the cluster's (its spec is run the same way, as Kargo combines
 * both kinds' specs into one AnalysisRun).
 */
function templateFor(specs: ProjectSpecSet, ref: AnalysisTemplateReference): AnalysisTemplate | undefined {
  if (ref.kind !== 'ClusterAnalysisTemplate') return specs.analysisTemplates?.[ref.name];
  const t = specs.clusterAnalysisTemplates?.[ref.name];
  return t ? (t as unknown as AnalysisTemplate) : undefined;
}

/**
 * What `${{ }}` in the stage's verification args may read (Kargo: the stage's vars and the freight
 * collection verified), or nothing when no arg or var holds an expression (the input stays as it was).
 */
export function verificationArgEnv(state: ProjectState, record: VerificationRecord): { argEnv?: Omit<ArgExpressionEnv, 'project' | 'stage'> } {
  const stage = state.specs.stages[record.stage];
  const args = stage?.spec.verification?.args ?? [];
  if (!stage || !argsUseExpressions(args, stage.spec.vars ?? [])) return {};
  const collection = state.stages[record.stage]?.freightHistory.find((e) => e.collection.id === record.collection)?.collection;
  return {
    argEnv: {
      ...(stage.spec.vars?.length ? { vars: stage.spec.vars } : {}),
      ...(collection ? { freight: collection } : {}),
      requestedOrigins: stage.spec.requestedFreight.map((r) => r.origin.name),
    },
  };
}

/** Why the stage's verification may not be re-run now (undefined when it may). */
export function verifyIssue(state: ProjectState, stageName: string): DomainError | undefined {
  const stage = state.specs.stages[stageName];
  if (!stage) return new DomainError('NotFound', `stage "${stageName}" not found in project "${state.project}"`);
  if (!verificationConfigured(stage)) {
    return new DomainError('FailedPrecondition', `stage "${stageName}" has no verification configured (spec.verification)`);
  }
  const s = state.stages[stageName];
  if (!s?.freightHistory.length) return new DomainError('FailedPrecondition', `stage "${stageName}" has no freight to verify yet`);
  if (s.currentPromotion) {
    return new DomainError('FailedPrecondition', `stage "${stageName}" has a promotion running (${s.currentPromotion}); verify after it ends`);
  }
  if (s.currentVerification) {
    return new DomainError(
      'FailedPrecondition',
      `verification ${s.currentVerification.id} of stage "${stageName}" is still ${s.currentVerification.phase.toLowerCase()}; abort it first`,
    );
  }
  return undefined;
}

/** Why there is no verification of the stage to abort (undefined when there is). */
export function abortVerificationIssue(state: ProjectState, stageName: string): DomainError | undefined {
  if (!state.specs.stages[stageName]) return new DomainError('NotFound', `stage "${stageName}" not found in project "${state.project}"`);
  if (!state.stages[stageName]?.currentVerification) {
    return new DomainError('FailedPrecondition', `stage "${stageName}" has no verification running`);
  }
  return undefined;
}

/**
 * Asks for a verification of the stage's current collection: recorded as Pending, started by
 * the project workflow. `random` draws the id's ULID.
 */
export function requestVerification(
  state: ProjectState,
  stageName: string,
  opts: { now: string; nowMs: number; random: () => number; actor?: string; workflowIdFor: (id: string) => string },
): VerificationRecord | undefined {
  const s = state.stages[stageName];
  const current = s?.freightHistory[0];
  if (!s || !current) return undefined;
  const id = `${stageName}.${monotonicUlid(opts.nowMs, opts.random)}.${current.collection.id.slice(0, 7)}`;
  const record: VerificationRecord = {
    id,
    stage: stageName,
    collection: current.collection.id,
    freight: Object.values(current.collection.items).map((f) => f.name),
    phase: 'Pending',
    workflowId: opts.workflowIdFor(id),
    ...(opts.actor ? { actor: opts.actor } : {}),
  };
  s.currentVerification = record;
  state.updatedAt = opts.now;
  return record;
}

/** Verifications requested and not started yet. */
export function pendingVerifications(state: ProjectState): VerificationRecord[] {
  return Object.values(state.stages).flatMap((s) => (s.currentVerification?.phase === 'Pending' ? [s.currentVerification] : []));
}

export function markVerificationStarted(record: VerificationRecord, now: string): void {
  record.phase = 'Running';
  record.startTime = now;
}

/** Live progress of a running verification (metrics so far, soak end). */
export function recordVerificationProgress(state: ProjectState, update: Partial<VerificationRecord> & { id: string; stage: string }): void {
  const current = state.stages[update.stage]?.currentVerification;
  if (!current || current.id !== update.id) return;
  if (update.metrics) current.metrics = update.metrics;
  if (update.soakUntil) current.soakUntil = update.soakUntil;
  if (update.message !== undefined) current.message = update.message;
}

export interface VerificationFinished {
  id: string;
  stage: string;
  phase: VerificationPhase;
  message?: string;
  metrics?: VerificationRecord['metrics'];
  finishTime: string;
}

/**
 * Records a verification's end. Successful: every freight of the verified collection becomes
 * verified in the stage (then control-flow stages after it settle).
 */
export function finishVerification(state: ProjectState, done: VerificationFinished): VerificationRecord | undefined {
  const s = state.stages[done.stage];
  const record = s?.currentVerification;
  if (!s || !record || record.id !== done.id) return undefined;
  record.phase = done.phase;
  record.finishTime = done.finishTime;
  if (done.message !== undefined) record.message = done.message;
  else delete record.message;
  if (done.metrics) record.metrics = done.metrics;
  delete record.soakUntil;
  delete s.currentVerification;
  const entry = s.freightHistory.find((h) => h.collection.id === record.collection);
  if (entry) {
    entry.verificationHistory = [record, ...(entry.verificationHistory ?? [])].slice(0, VERIFICATION_HISTORY_LENGTH);
  }
  if (done.phase === 'Successful') {
    for (const name of record.freight) {
      const f = state.freight[name];
      if (f && !f.verifiedIn[done.stage]) f.verifiedIn[done.stage] = { verifiedAt: done.finishTime };
    }
    settleControlFlowStages(state, done.finishTime);
  }
  state.updatedAt = done.finishTime;
  return record;
}
