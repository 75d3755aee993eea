import { DomainError } from '../errors.js';
import { TERMINAL_PHASES } from '../promotion/types.js';
import { findFreight, findPromotion, promotionIssue, queuePromotion } from './promotions.js';
import type { KeptWorkspace, ProjectState, PromotionRecord, StepRecord } from './state.js';

/** Why the promotion may not be aborted (undefined when it may): only pending or running ones can. */
export function abortIssue(state: ProjectState, name: string): DomainError | undefined {
  const promotion = findPromotion(state, name);
  if (!promotion) return new DomainError('NotFound', `promotion "${name}" not found in project "${state.project}"`);
  if (TERMINAL_PHASES.includes(promotion.phase)) {
    return new DomainError(
      'FailedPrecondition',
      `promotion ${name} has already finished (${promotion.phase}); only pending or running promotions can be aborted`,
    );
  }
  return undefined;
}

/**
 * Why the promotion may not be retried (undefined when it may): it must have failed, errored or
 * been aborted, and its freight must still be available to its stage.
 */
export function retryIssue(state: ProjectState, name: string, nowMs: number): DomainError | undefined {
  const promotion = findPromotion(state, name);
  if (!promotion) return new DomainError('NotFound', `promotion "${name}" not found in project "${state.project}"`);
  if (promotion.phase === 'Succeeded') {
    return new DomainError('FailedPrecondition', `promotion ${name} succeeded; only failed, errored or aborted promotions can be retried`);
  }
  if (!TERMINAL_PHASES.includes(promotion.phase)) {
    return new DomainError('FailedPrecondition', `promotion ${name} is still ${promotion.phase.toLowerCase()}; abort it first or wait for it to end`);
  }
  return promotionIssue(state, promotion.stage, promotion.freight, nowMs);
}

/** Queues the retry of a promotion (callers checked retryIssue). */
export function queueRetry(
  state: ProjectState,
  name: string,
  opts: { nowMs: number; now: string; random: () => number; actor?: string; workflowIdFor: (name: string) => string },
): PromotionRecord {
  const original = findPromotion(state, name)!;
  const freight = findFreight(state, original.freight)!;
  const record = queuePromotion(state, original.stage, freight, opts);
  record.retryOf = original.name;
  return record;
}

export interface ClaimedWorkspaces {
  /** Where the retry may resume: the kept workspace of the promotion it retries. */
  resume?: { workspace: KeptWorkspace; steps: StepRecord[]; outputs: Record<string, Record<string, unknown>> };
  /** Other kept workspaces of the stage: nobody will resume in them once a newer promotion runs. */
  stale: Array<{ workspaceKey: string; taskQueue: string }>;
}

/**
 * Hands the stage's kept workspaces to the promotion about to start, and forgets them in the
 * state (each is either resumed in or released by that promotion, exactly once).
 */
export function claimWorkspaces(state: ProjectState, promotion: PromotionRecord): ClaimedWorkspaces {
  const claimed: ClaimedWorkspaces = { stale: [] };
  for (const p of state.promotions) {
    if (p.stage !== promotion.stage || !p.workspace || p.name === promotion.name) continue;
    // A trimmed record without outputs cannot be resumed in (core/project/promotion-trim.ts).
    const resumable = !p.trimmed || p.state !== undefined;
    if (p.name === promotion.retryOf && resumable) {
      claimed.resume = { workspace: p.workspace, steps: p.steps, outputs: p.state ?? {} };
    } else {
      claimed.stale.push({ workspaceKey: p.workspace.workspaceKey, taskQueue: p.workspace.taskQueue });
    }
    delete p.workspace;
  }
  return claimed;
}
