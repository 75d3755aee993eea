/**
 * Kargo's PromoteDownstream (pkg/server/promote_downstream.go): promote one piece of freight to
 * every stage immediately downstream of a stage, that is every stage that requests freight of
 * the freight's origin with that stage among its `sources.stages`. All or nothing: when the
 * freight is not available to one of them, none is promoted. Control-flow stages (no steps) are
 * checked like the others but get no promotion: freight flows through them on its own
 * (core/project/control-flow.ts).
 */
import { DomainError } from '../errors.js';
import { freightAvailability } from './availability.js';
import { findFreight, promotionIssue, queuePromotion } from './promotions.js';
import type { FreightRecord, ProjectState, PromotionRecord } from './state.js';

export interface PromoteDownstreamRequest {
  /** The upstream stage. */
  stage: string;
  /** Freight id or alias. */
  freight: string;
  actor?: string;
  /**
   * The stages the caller's permission was checked for. When set, a downstream stage not in
   * the list (the pipeline changed between the check and the promotion) refuses the request.
   */
  authorizedStages?: string[];
}

export interface PromoteDownstreamResult {
  /** One queued promotion per downstream stage that has steps, in stage-name order. */
  promotions: PromotionRecord[];
  /** Downstream control-flow stages: the freight is available there and flows on by itself. */
  controlFlowStages: string[];
}

/** The stages immediately downstream of `upstream` for the freight's origin, sorted by name. */
export function downstreamStages(state: ProjectState, upstream: string, freight: Pick<FreightRecord, 'origin'>): string[] {
  return Object.values(state.specs.stages)
    .filter((s) =>
      s.spec.requestedFreight.some(
        (r) => r.origin.kind === freight.origin.kind && r.origin.name === freight.origin.name && (r.sources.stages ?? []).includes(upstream),
      ),
    )
    .map((s) => s.metadata.name)
    .sort();
}

/** The downstream stages of a request, or undefined when its stage or freight is unknown. */
export function downstreamOf(state: ProjectState, upstream: string, freightRef: string): string[] | undefined {
  const freight = findFreight(state, freightRef);
  if (!state.specs.stages[upstream] || !freight) return undefined;
  return downstreamStages(state, upstream, freight);
}

const hasSteps = (state: ProjectState, stage: string): boolean => Boolean(state.specs.stages[stage]?.spec.promotionTemplate?.spec.steps.length);

/** Why the request may not be carried out (undefined when it may), in Kargo's order of checks. */
export function promoteDownstreamIssue(state: ProjectState, request: PromoteDownstreamRequest, nowMs: number): DomainError | undefined {
  const where = `project "${state.project}"`;
  if (!state.specs.stages[request.stage]) return new DomainError('NotFound', `stage "${request.stage}" not found in ${where}`);
  const freight = findFreight(state, request.freight);
  if (!freight) return new DomainError('NotFound', `freight "${request.freight}" not found in ${where}`);
  const stages = downstreamStages(state, request.stage, freight);
  if (stages.length === 0) {
    return new DomainError(
      'NotFound',
      `stage "${request.stage}" has no downstream stages that request freight from warehouse "${freight.origin.name}"`,
    );
  }
  const unchecked = request.authorizedStages === undefined ? [] : stages.filter((s) => !request.authorizedStages!.includes(s));
  if (unchecked.length > 0) {
    return new DomainError(
      'Conflict',
      `the stages downstream of "${request.stage}" changed while the request was checked (${unchecked.map((s) => `"${s}"`).join(', ')} now also downstream); send it again`,
    );
  }
  for (const stage of stages) {
    if (hasSteps(state, stage)) {
      const issue = promotionIssue(state, stage, freight.name, nowMs);
      if (issue) return new DomainError(issue.code, `downstream stage "${stage}": ${issue.message}`, issue.details);
      continue;
    }
    const availability = freightAvailability(state.specs.stages[stage]!, freight, nowMs);
    if (!availability.available) return new DomainError('FailedPrecondition', `downstream stage "${stage}": ${availability.reason}`);
  }
  return undefined;
}

/** Queues one promotion per downstream stage with steps; callers checked promoteDownstreamIssue. */
export function queueDownstreamPromotions(
  state: ProjectState,
  request: PromoteDownstreamRequest,
  opts: Omit<Parameters<typeof queuePromotion>[3], 'actor'>,
): PromoteDownstreamResult {
  const freight = findFreight(state, request.freight)!;
  const result: PromoteDownstreamResult = { promotions: [], controlFlowStages: [] };
  for (const stage of downstreamStages(state, request.stage, freight)) {
    if (!hasSteps(state, stage)) {
      result.controlFlowStages.push(stage);
      continue;
    }
    result.promotions.push(queuePromotion(state, stage, freight, { ...opts, ...(request.actor ? { actor: request.actor } : {}) }));
  }
  return result;
}
