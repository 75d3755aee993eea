import type { RequestHandler } from 'express';
import { DomainError } from '../../core/errors.js';
import { decide, type Decision, type Subject } from '../../core/rbac/rbac.js';
import { accessDecisionOf } from '../auth/middleware.js';
import type { RouteDeps } from '../route-deps.js';

export interface StagePermissions {
  promote: Decision;
  approve: Decision;
}

export interface WhoAmIView {
  name: string;
  via: Subject['via'];
  /** `open`: the api runs without access control. */
  mode: 'open' | 'enforced';
  grants: Subject['grants'];
  /** With `?project=P`: what the caller may do there, per stage, with the reason when not. */
  project?: { name: string; admin: Decision; stages: Record<string, StagePermissions> };
}

/** GET /api/v1/whoami[?project=P]: the caller, its roles, and (per stage) what it may do. */
export function getWhoAmI({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const subject = accessDecisionOf(res)?.subject;
    if (subject === undefined) throw new DomainError('Internal', 'access middleware is not installed');
    const view: WhoAmIView = { name: subject.name, via: subject.via, mode: subject.via === 'open' ? 'open' : 'enforced', grants: subject.grants };
    const project = typeof req.query['project'] === 'string' ? req.query['project'] : undefined;
    if (project !== undefined) {
      const read = decide(subject, 'read', [{ project }]);
      if (!read.allowed) throw new DomainError('PermissionDenied', read.reason);
      const state = await backend.getProject(project);
      const stages: Record<string, StagePermissions> = {};
      for (const stage of Object.keys(state.specs.stages).sort()) {
        stages[stage] = {
          promote: decide(subject, 'promote', [{ project, stage }]),
          approve: decide(subject, 'approve', [{ project, stage }]),
        };
      }
      view.project = { name: project, admin: decide(subject, 'admin', [{ project }]), stages };
    }
    res.json(view);
  };
}
