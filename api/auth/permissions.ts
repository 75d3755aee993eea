/**
 * The permission table: for every route of the REST API (coordination contract), the action it
 * needs, on which project and stage, and the name the audit trail gives it. Routes are matched
 * by method and path pattern, so a route gets its permission the moment it is added to app.ts;
 * a route missing here falls back to `read` for GET and `admin` for anything else.
 */
import type { Request } from 'express';
import YAML from 'yaml';
import type { Action, Target } from '../../core/rbac/rbac.js';

/** What an audited request did. */
export type AuditAction =
  | 'apply'
  | 'delete'
  | 'promote'
  | 'refresh'
  | 'approve'
  | 'retry'
  | 'abort'
  | 'verify'
  | 'abort-verification'
  | 'change';

export interface TargetLookup {
  /** The stage of a promotion, or undefined when there is no such promotion. */
  promotionStage(project: string, name: string): Promise<string | undefined>;
}

export interface RoutePermission {
  method: 'GET' | 'POST' | 'DELETE';
  /** Under /api/v1; `:name` segments are parameters. */
  path: string;
  action: Action;
  /** Set for requests the audit trail records. */
  audit?: AuditAction;
  /** What the request acts on; empty for project-less reads. */
  targets(req: Request, params: Record<string, string>, lookup: TargetLookup): Promise<Target[]> | Target[];
}

const project = (_req: Request, p: Record<string, string>): Target[] => [{ project: p['project']! }];
const projectStage = (key: string) => (_req: Request, p: Record<string, string>): Target[] => [{ project: p['project']!, stage: p[key]! }];
const bodyStage = (req: Request, p: Record<string, string>): Target[] => {
  const stage = (req.body as { stage?: unknown } | undefined)?.stage;
  // No stage in the body: the route refuses the body itself (400) once the project check passed.
  return [typeof stage === 'string' && stage.trim() !== '' ? { project: p['project']!, stage: stage.trim() } : { project: p['project']! }];
};
const promotionStage = async (_req: Request, p: Record<string, string>, lookup: TargetLookup): Promise<Target[]> => {
  const stage = await lookup.promotionStage(p['project']!, p['name']!);
  return [stage === undefined ? { project: p['project']! } : { project: p['project']!, stage }];
};

export const ROUTE_PERMISSIONS: readonly RoutePermission[] = [
  { method: 'GET', path: '/whoami', action: 'read', targets: () => [] },
  { method: 'GET', path: '/projects', action: 'read', targets: () => [] },
  { method: 'POST', path: '/apply', action: 'admin', audit: 'apply', targets: (req) => applyTargets(req.body) },
  { method: 'DELETE', path: '/projects/:project', action: 'admin', audit: 'delete', targets: project },
  { method: 'DELETE', path: '/projects/:project/warehouses/:name', action: 'admin', audit: 'delete', targets: project },
  { method: 'DELETE', path: '/projects/:project/stages/:name', action: 'admin', audit: 'delete', targets: projectStage('name') },
  { method: 'POST', path: '/projects/:project/promotions', action: 'promote', audit: 'promote', targets: bodyStage },
  { method: 'POST', path: '/projects/:project/warehouses/:name/refresh', action: 'promote', audit: 'refresh', targets: project },
  { method: 'POST', path: '/projects/:project/freight/:freight/approve', action: 'approve', audit: 'approve', targets: bodyStage },
  { method: 'POST', path: '/projects/:project/promotions/:name/approve', action: 'approve', audit: 'approve', targets: promotionStage },
  { method: 'POST', path: '/projects/:project/promotions/:name/retry', action: 'promote', audit: 'retry', targets: promotionStage },
  { method: 'POST', path: '/projects/:project/promotions/:name/abort', action: 'promote', audit: 'abort', targets: promotionStage },
  { method: 'POST', path: '/projects/:project/stages/:stage/verify', action: 'promote', audit: 'verify', targets: projectStage('stage') },
  {
    method: 'POST',
    path: '/projects/:project/stages/:stage/verification/abort',
    action: 'promote',
    audit: 'abort-verification',
    targets: projectStage('stage'),
  },
  // Every other project read (warehouses, stages, freight, promotions, events, …).
  { method: 'GET', path: '/projects/:project/*rest', action: 'read', targets: project },
  { method: 'GET', path: '/projects/:project', action: 'read', targets: project },
];

interface CompiledPermission {
  permission: RoutePermission;
  regex: RegExp;
  keys: string[];
}

const COMPILED: CompiledPermission[] = ROUTE_PERMISSIONS.map((permission) => {
  const keys: string[] = [];
  const source = permission.path
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        keys.push(segment.slice(1));
        return '([^/]+)';
      }
      if (segment.startsWith('*')) {
        keys.push(segment.slice(1));
        return '(.+)';
      }
      return segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  // Our own route table, not user input: a JS RegExp is fine here (core/regex.ts is for user patterns).
  // eslint-disable-next-line no-restricted-syntax
  return { permission, regex: new RegExp(`^${source}/?$`), keys };
});

export interface MatchedPermission {
  permission: RoutePermission;
  params: Record<string, string>;
}

/** The permission of a request under /api/v1 (`path` relative to it); the fallback when none matches. */
export function permissionFor(method: string, path: string): MatchedPermission {
  const verb = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  for (const { permission, regex, keys } of COMPILED) {
    if (permission.method !== verb) continue;
    const m = regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    keys.forEach((k, i) => {
      params[k] = safeDecode(m[i + 1] ?? '');
    });
    return { permission, params };
  }
  return { permission: fallback(verb, path), params: projectParam(path) };
}

function fallback(method: string, path: string): RoutePermission {
  const scoped = projectParam(path)['project'] !== undefined;
  const targets = (_req: Request, p: Record<string, string>): Target[] => (scoped ? [{ project: p['project']! }] : []);
  return method === 'GET'
    ? { method: 'GET', path, action: 'read', targets }
    : { method: 'POST', path, action: 'admin', audit: 'change', targets };
}

function projectParam(path: string): Record<string, string> {
  const m = /^\/projects\/([^/]+)/.exec(path);
  return m ? { project: safeDecode(m[1]!) } : {};
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The projects an apply touches, read loosely from its files (the route validates them for
 * real): each document's `metadata.namespace`, and the name of each Project. A cluster-scoped
 * document (ClusterPromotionTask) or a file that names no project needs admin over every project.
 */
export function applyTargets(body: unknown): Target[] {
  const files = (body as { files?: unknown } | undefined)?.files;
  if (!Array.isArray(files)) return [];
  const projects = new Set<string>();
  let clusterWide = false;
  for (const file of files) {
    const content = (file as { content?: unknown } | null)?.content;
    if (typeof content !== 'string') continue;
    let docs: unknown[];
    try {
      docs = YAML.parseAllDocuments(content).map((d) => d.toJS() as unknown);
    } catch {
      continue;
    }
    for (const doc of docs) {
      if (doc === null || typeof doc !== 'object') continue;
      const d = doc as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
      if (d.kind === 'Project' && typeof d.metadata?.name === 'string') projects.add(d.metadata.name);
      else if (typeof d.metadata?.namespace === 'string') projects.add(d.metadata.namespace);
      else clusterWide = true;
    }
  }
  if (clusterWide || projects.size === 0) return [{}];
  return [...projects].map((p) => ({ project: p }));
}

/** The projects an audited request concerns (where its entry is written). */
export function auditProjects(targets: readonly Target[]): string[] {
  return [...new Set(targets.flatMap((t) => (t.project === undefined ? [] : [t.project])))];
}
