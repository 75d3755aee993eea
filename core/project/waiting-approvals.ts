/**
 * "Waiting for me": the promotions of a project that wait for an approval the caller may give
 * (`GET /api/v1/projects/:project/approvals?for=me`). Decided here from the caller's grants
 * (core/rbac), the same rule the approve request is checked by: the approver role on the
 * promotion's stage, and someone other than the requester when the gate asks for that. Pure.
 */
import { decide, type Subject } from '../rbac/rbac.js';
import { approverIssue } from './approval-gate.js';
import type { ApprovalRequest, ProjectState, PromotionRecord } from './state.js';

export interface WaitingApproval {
  promotion: string;
  stage: string;
  /** The freight's id and alias. */
  freight: { name: string; alias: string };
  /** Who asked for the promotion, when a person did. */
  requestedBy?: string;
  /** When the promotion started waiting. */
  requestedAt: string;
  /** `stage` for the stage's gate, else the alias of the wait-for-approval step. */
  gate: string;
  message?: string;
  /** What approving does, in a sentence. */
  approving: string;
}

/** A promotion waiting for an approval the caller may not give, and why. */
export interface RefusedApproval {
  promotion: string;
  stage: string;
  reason: string;
}

/** Whether `subject` may give the approval `promotion` waits for (undefined: yes; else why not). */
export function approvalRefusal(subject: Subject, project: string, promotion: PromotionRecord, request: ApprovalRequest): string | undefined {
  const decision = decide(subject, 'approve', [{ project, stage: promotion.stage }]);
  if (!decision.allowed) return decision.reason;
  return approverIssue(request, promotion.actor, subject.name);
}

/** The promotions waiting for an approval `subject` may give, longest waiting first. */
export function approvalsWaitingFor(state: ProjectState, subject: Subject): WaitingApproval[] {
  const out: WaitingApproval[] = [];
  for (const p of state.promotions) {
    const request = p.waitingForApproval;
    if (p.phase !== 'Running' || request === undefined) continue;
    if (approvalRefusal(subject, state.project, p, request) !== undefined) continue;
    out.push({
      promotion: p.name,
      stage: p.stage,
      freight: { name: p.freight, alias: state.freight[p.freight]?.alias ?? p.freightAlias },
      ...(p.actor === undefined ? {} : { requestedBy: p.actor }),
      requestedAt: request.since,
      gate: request.gate,
      ...(request.message === undefined ? {} : { message: request.message }),
      approving: approvingSentence(p, request),
    });
  }
  return out.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.promotion.localeCompare(b.promotion));
}

/** The promotions waiting for an approval `subject` may not give, with the reason (the page shows it on their Approve buttons). */
export function approvalsRefusedTo(state: ProjectState, subject: Subject): RefusedApproval[] {
  const out: RefusedApproval[] = [];
  for (const p of state.promotions) {
    const request = p.waitingForApproval;
    if (p.phase !== 'Running' || request === undefined) continue;
    const reason = approvalRefusal(subject, state.project, p, request);
    if (reason !== undefined) out.push({ promotion: p.name, stage: p.stage, reason });
  }
  return out;
}

function approvingSentence(p: PromotionRecord, request: ApprovalRequest): string {
  const freight = p.freight.slice(0, 7);
  return request.gate === 'stage'
    ? `opens stage ${p.stage}'s approval gate: promotion ${p.name} runs its steps and ${p.stage} gets freight ${freight}`
    : `passes step ${request.gate} of promotion ${p.name}: its next steps run and ${p.stage} gets freight ${freight}`;
}
