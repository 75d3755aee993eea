/**
 * What each route of the REST API needs: the action, on which project and stage, and the name
 * the audit trail gives it. The route table (api/api-routes.ts) pairs every route with one of
 * these, and the same entry both registers the route and checks it, so a route cannot exist
 * without its permission; targets are read from the route that actually matched.
 */
import type { Request } from 'express';
import { ApplyBody } from '../../core/api/requests.js';
import type { AUDIT_ACTIONS } from '../../core/audit/filter.js';
import { DomainError } from '../../core/errors.js';
import { invalidManifests, parseManifestFiles } from '../../core/manifests/files.js';
import { describeManifest, manifestTarget } from '../../core/rbac/manifest-target.js';
import type { Action, Target } from '../../core/rbac/rbac.js';
import { parseBody } from '../parse-body.js';

/** What an audited request did (core/audit/filter.ts lists them, for the trail's filters). */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface TargetLookup {
  /** The stage of a promotion, or undefined when there is no such promotion. */
  promotionStage(project: string, name: string): Promise<string | undefined>;
  /**
   * The stages immediately downstream of a stage for a freight's origin
   * (core/project/downstream.ts), or undefined when the stage or the freight is unknown.
   */
  downstreamStages(project: string, stage: string, freight: string): Promise<string[] | undefined>;
}

/** A target, and what a refusal of it names first (the document of an apply). */
export interface LabelledTarget extends Target {
  label?: string;
}

export interface RoutePermission {
  action: Action;
  /** Set for requests the audit trail records. */
  audit?: AuditAction;
  /**
   * What the request acts on, from the matched route's parameters (and for some routes the
   * body, parsed by then); empty for project-less requests, which need the action over every
   * project (reads: any grant).
   */
  targets(req: Request, lookup: TargetLookup): Promise<LabelledTarget[]> | LabelledTarget[];
  /**
   * The body is costly to interpret (an apply's YAML): before it is even read, the caller must
   * hold the action somewhere (see authorizeScope). Other bodies are small JSON, read first so
   * that a refusal and its audit entry can name the stage the caller asked for.
   */
  scopeFirst?: true;
}

/** A parameter of the matched route (the table's routes have no wildcards: always a string). */
export function routeParam(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string') throw new DomainError('Internal', `route parameter "${name}" missing`);
  return value;
}

const projectOf = (req: Request): string => routeParam(req, 'project');

const project = (req: Request): Target[] => [{ project: projectOf(req) }];
const stageParam = (key: string) => (req: Request): Target[] => [{ project: projectOf(req), stage: routeParam(req, key) }];
const bodyStage = (req: Request): Target[] => {
  const stage = (req.body as { stage?: unknown } | undefined)?.stage;
  // No stage in the body: the route refuses the body itself (400) once the project check passed.
  return [typeof stage === 'string' && stage.trim() !== '' ? { project: projectOf(req), stage: stage.trim() } : { project: projectOf(req) }];
};
const promotionStage = async (req: Request, lookup: TargetLookup): Promise<Target[]> => {
  const stage = await lookup.promotionStage(projectOf(req), routeParam(req, 'name'));
  return [stage === undefined ? { project: projectOf(req) } : { project: projectOf(req), stage }];
};

/**
 * A promotion downstream of a stage needs the promoter role on every stage it promotes to (as
 * Kargo checks `promote` on each), not on the stage it starts from. When they cannot be known
 * (unknown stage or freight, none downstream), the project: the route then answers 404.
 */
const downstreamStages = async (req: Request, lookup: TargetLookup): Promise<Target[]> => {
  const freight = (req.body as { freight?: unknown } | undefined)?.freight;
  const stages = typeof freight === 'string' ? await lookup.downstreamStages(projectOf(req), routeParam(req, 'name'), freight.trim()) : undefined;
  return stages?.length ? stages.map((stage) => ({ project: projectOf(req), stage })) : project(req);
};

/**
 * The targets of an apply are the manifests it would apply, parsed by the same function the
 * apply uses (every document of every file, every item of every List), each a target of its
 * own. A body in which nothing parses is refused here with its problems: there is nothing to
 * check and nothing would be applied.
 */
export function applyTargets(req: Request): LabelledTarget[] {
  const body = parseBody(ApplyBody, req.body, 'invalid apply request');
  const parsed = parseManifestFiles(body.files);
  if (parsed.manifests.length === 0) {
    throw parsed.problems.length > 0 ? invalidManifests(parsed.problems) : new DomainError('BadRequest', 'no manifests found in the files given');
  }
  return parsed.manifests.map((m, i) => ({ ...manifestTarget(m), label: `${parsed.files[i]}: ${describeManifest(m)}` }));
}

export const PERMISSIONS = {
  read: { action: 'read', targets: () => [] },
  readProject: { action: 'read', targets: project },
  /** Cluster-scoped settings whose values are credentials (the ClusterConfig receivers' URLs): admin over the cluster. */
  readClusterSecrets: { action: 'admin', targets: () => [{}] },
  apply: { action: 'admin', audit: 'apply', targets: applyTargets, scopeFirst: true },
  deleteProject: { action: 'admin', audit: 'delete', targets: project },
  deleteInProject: { action: 'admin', audit: 'delete', targets: project },
  deleteStage: { action: 'admin', audit: 'delete', targets: stageParam('name') },
  promote: { action: 'promote', audit: 'promote', targets: bodyStage },
  promoteDownstream: { action: 'promote', audit: 'promote', targets: downstreamStages },
  refreshStage: { action: 'promote', audit: 'refresh', targets: stageParam('name') },
  updateFreight: { action: 'admin', audit: 'update', targets: project },
  refresh: { action: 'promote', audit: 'refresh', targets: project },
  approveFreight: { action: 'approve', audit: 'approve', targets: bodyStage },
  approvePromotion: { action: 'approve', audit: 'approve', targets: promotionStage },
  retryPromotion: { action: 'promote', audit: 'retry', targets: promotionStage },
  abortPromotion: { action: 'promote', audit: 'abort', targets: promotionStage },
  verify: { action: 'promote', audit: 'verify', targets: stageParam('name') },
  abortVerification: { action: 'promote', audit: 'abort-verification', targets: stageParam('name') },
} as const satisfies Record<string, RoutePermission>;

/**
 * Where an audited request's entry is written: every project it concerns, and the cluster-wide
 * trail (undefined) when it concerns none or also something project-less.
 */
export function auditScopes(targets: readonly Target[]): (string | undefined)[] {
  const projects = [...new Set(targets.flatMap((t) => (t.project === undefined ? [] : [t.project])))];
  return projects.length === 0 || targets.some((t) => t.project === undefined) ? [...projects, undefined] : projects;
}
