/**
 * Role-based access rules: who may do what to which project and stage. Pure: the api
 * authenticates a caller into a Subject and asks `decide` about each request.
 *
 * Roles are per project and per stage pattern, so that e.g. only release managers hold
 * `promoter` and `approver` for `prod*`, while every developer holds them for `dev`.
 */

import { compileGlob } from '../regex.js';

export const ROLES = ['viewer', 'promoter', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a request does. `read` covers every GET; `admin` covers apply and delete. */
export type Action = 'read' | 'promote' | 'approve' | 'admin';

/** Which actions each role allows: promoter and approver are separate, both imply viewer. */
export const ROLE_ACTIONS: Readonly<Record<Role, readonly Action[]>> = {
  viewer: ['read'],
  promoter: ['read', 'promote'],
  approver: ['read', 'approve'],
  admin: ['read', 'promote', 'approve', 'admin'],
};

/** The role needed for an action when a refusal names one. */
export const ROLE_FOR_ACTION: Readonly<Record<Action, Role>> = {
  read: 'viewer',
  promote: 'promoter',
  approve: 'approver',
  admin: 'admin',
};

/** One role over projects and stages matching glob patterns (`*` matches any run of characters). */
export interface Grant {
  role: Role;
  projects: string[];
  stages: string[];
}

/** An authenticated caller. */
export interface Subject {
  /** The actor recorded in promotions and the audit trail. */
  name: string;
  /** How the caller proved who it is. */
  via: 'token' | 'oidc' | 'open';
  grants: Grant[];
}

/** What a request acts on. A missing stage means the project as a whole (any stage grant will do). */
export interface Target {
  project?: string;
  stage?: string;
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

export function globMatches(pattern: string, value: string): boolean {
  return compileGlob(pattern, { question: false }).test(value);
}

function grantCovers(grant: Grant, action: Action, target: Target): boolean {
  if (!ROLE_ACTIONS[grant.role].includes(action)) return false;
  if (target.project !== undefined && !grant.projects.some((p) => globMatches(p, target.project!))) return false;
  // A project-less target (apply of cluster resources, list of projects) needs a grant over every project.
  if (target.project === undefined && action !== 'read' && !grant.projects.includes('*')) return false;
  if (target.stage !== undefined && !grant.stages.some((s) => globMatches(s, target.stage!))) return false;
  return true;
}

/** May `subject` do `action` to every one of `targets`? A refusal says what was missing. */
export function decide(subject: Subject, action: Action, targets: readonly Target[]): Decision {
  const list = targets.length === 0 ? [{}] : targets;
  for (const target of list) {
    if (subject.grants.some((g) => grantCovers(g, action, target))) continue;
    return { allowed: false, reason: refusal(subject, action, target) };
  }
  return { allowed: true };
}

function refusal(subject: Subject, action: Action, target: Target): string {
  const role = ROLE_FOR_ACTION[action];
  const where =
    target.project === undefined
      ? 'every project'
      : target.stage === undefined
        ? `project "${target.project}"`
        : `stage "${target.stage}" of project "${target.project}"`;
  const held = subject.grants.length === 0 ? 'no roles' : `roles ${subject.grants.map(describeGrant).join(', ')}`;
  return `${subject.name} (${held}) may not ${ACTION_VERB[action]} ${where}: that needs the ${role} role there`;
}

const ACTION_VERB: Readonly<Record<Action, string>> = {
  read: 'read',
  promote: 'promote to',
  approve: 'approve for',
  admin: 'change',
};

export function describeGrant(grant: Grant): string {
  return `${grant.role} on ${grant.projects.join('|')}/${grant.stages.join('|')}`;
}

/**
 * Does `subject` hold `action` anywhere (on any project or stage)? Checked before a request's
 * body is read, so that a caller who could never be allowed costs no parsing.
 */
export function holdsAnywhere(subject: Subject, action: Action): Decision {
  if (subject.grants.some((g) => ROLE_ACTIONS[g.role].includes(action))) return { allowed: true };
  const held = subject.grants.length === 0 ? 'no roles' : `roles ${subject.grants.map(describeGrant).join(', ')}`;
  return { allowed: false, reason: `${subject.name} (${held}) may not ${ACTION_VERB[action]} anything: that needs the ${ROLE_FOR_ACTION[action]} role in some project` };
}
