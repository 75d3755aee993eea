import type { RequestHandler } from 'express';
import { ApprovalsQuery } from '../../core/api/requests.js';
import { approvalsRefusedTo, approvalsWaitingFor, type RefusedApproval, type WaitingApproval } from '../../core/project/waiting-approvals.js';
import { subjectOf } from '../auth/middleware.js';
import { parseBody } from '../parse-body.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { renderList, type ListView } from '../views.js';

/** One promotion waiting for the caller's approval, with the request that gives it. */
export interface WaitingApprovalView extends WaitingApproval {
  /** Send this (an empty JSON body) to approve. */
  approve: { method: 'POST'; path: string };
}

/** The list, and the waiting promotions the caller may not approve with the reason. */
export interface ApprovalsView extends ListView<WaitingApprovalView> {
  refused: RefusedApproval[];
}

/**
 * GET /api/v1/projects/:project/approvals?for=me: promotions waiting for an approval the caller's
 * grants allow them to give (core/project/waiting-approvals.ts decides), longest waiting first;
 * `refused` names the others and why.
 */
export function listApprovals({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    parseBody(ApprovalsQuery, req.query, 'invalid approvals request');
    const state = await backend.getProject(project);
    const subject = subjectOf(res);
    const items = approvalsWaitingFor(state, subject).map(
      (a): WaitingApprovalView => ({
        ...a,
        approve: { method: 'POST', path: `/api/v1/projects/${encodeURIComponent(project)}/promotions/${encodeURIComponent(a.promotion)}/approve` },
      }),
    );
    const view: ApprovalsView = { ...renderList(items), refused: approvalsRefusedTo(state, subject) };
    res.json(view);
  };
}
