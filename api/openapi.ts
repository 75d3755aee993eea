/**
 * The OpenAPI 3.1 description of the REST API, served at /openapi.json. Request bodies come
 * from the zod schemas the routes validate with; each route's required role from the
 * permission table. Only routes the app really serves are described (a test checks that every
 * one of them has an entry here): the contract routes other parts add are described ahead.
 */
import { z } from 'zod';
import { ApplyBody, ApprovalsQuery, ApproveFreightBody, AuditQuery, CompareQuery, DeadLettersQuery, EventsQuery, FreightAliasBody, FreightListQuery, PromoteBody, PromoteDownstreamBody, PromotionGetQuery, PruneProjectBody } from '../core/api/requests.js';
import { apiRoute } from './api-routes.js';
import { ROLE_FOR_ACTION } from '../core/rbac/rbac.js';
import { API_PREFIX_PATH } from './paths.js';
import type { ListedRoute } from './route-list.js';
import { TokenRelayBody } from './auth/sign-in.js';

export interface RouteDoc {
  summary: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** Status → description of a success answer. */
  responses: Record<string, string>;
}

const KargoObject = { type: 'object', description: 'A Kargo-shaped object (apiVersion, kind, metadata, spec, status).' };
const KargoList = { type: 'object', properties: { apiVersion: { const: 'v1' }, kind: { const: 'List' }, items: { type: 'array', items: KargoObject } } };
const ErrorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array', items: { type: 'string' } } },
    },
  },
};

const Empty = z.object({}).optional();

/** Keyed by `METHOD /path` with express parameters. */
export const ROUTE_DOCS: Readonly<Record<string, RouteDoc>> = {
  'GET /healthz': { summary: 'Health: 200 when Temporal answers and a worker polls, else 503 with the reason', responses: { '200': 'healthy' } },
  'GET /metrics': { summary: 'Prometheus metrics of the api and the worker; with access control on, any valid bearer token', responses: { '200': 'text exposition format' } },
  'GET /openapi.json': { summary: 'This document', responses: { '200': 'OpenAPI 3.1' } },
  'GET /': { summary: 'The web page: the pipeline, freight, promotions and actions', responses: { '200': 'HTML' } },
  'GET /api/v1/auth/config': { summary: 'How to sign in (open): the OIDC issuer, client ids, scopes and audience, or {} without OIDC sign-in', responses: { '200': 'sign-in settings' } },
  'POST /api/v1/auth/token': { summary: "The page's token requests (authorization code with PKCE, refresh token), relayed to the issuer (open)", body: TokenRelayBody, responses: { '200': 'the issuer\'s token response' } },
  'GET /api/v1/whoami': { summary: 'The caller, its roles, and with ?project=P what it may do per stage', responses: { '200': 'the caller' } },
  'POST /api/v1/apply': { summary: 'Parse, validate and apply Kargo manifests; nothing changes unless all are valid', body: ApplyBody, responses: { '200': 'what happened to each resource' } },
  'GET /api/v1/projects': { summary: 'List projects', responses: { '200': 'List of Project' } },
  'GET /api/v1/projects/:project': { summary: 'Get a project', responses: { '200': 'Project' } },
  'DELETE /api/v1/projects/:project': { summary: 'Delete a project', responses: { '200': 'Status' } },
  'GET /api/v1/projects/:project/warehouses': { summary: 'List warehouses', responses: { '200': 'List of Warehouse' } },
  'GET /api/v1/projects/:project/warehouses/:name': { summary: 'Get a warehouse', responses: { '200': 'Warehouse' } },
  'DELETE /api/v1/projects/:project/warehouses/:name': { summary: 'Delete a warehouse', responses: { '200': 'Status' } },
  'POST /api/v1/projects/:project/warehouses/:name/refresh': { summary: 'Scan a warehouse now', body: Empty, responses: { '200': 'scan started', '202': 'scan started' } },
  'GET /api/v1/projects/:project/stages': { summary: 'List stages', responses: { '200': 'List of Stage' } },
  'GET /api/v1/projects/:project/stages/:name': { summary: 'Get a stage', responses: { '200': 'Stage' } },
  'DELETE /api/v1/projects/:project/stages/:name': { summary: 'Delete a stage nothing depends on', responses: { '200': 'Status' } },
  'POST /api/v1/projects/:project/stages/:name/refresh': {
    summary: 'Refresh a stage: settle control-flow freight, evaluate auto-promotion, check its running promotion and verification now',
    body: Empty,
    responses: { '200': 'what the refresh found and queued' },
  },
  'POST /api/v1/projects/:project/stages/:name/promotions/downstream': {
    summary: 'Promote freight to every stage immediately downstream of the stage (all or none; 409 when it is not available to one)',
    body: PromoteDownstreamBody,
    responses: { '201': 'the promotions queued and the control-flow stages it flows through' },
  },
  'POST /api/v1/projects/:project/stages/:stage/verify': { summary: 'Run the stage verification again', body: Empty, responses: { '200': 'verification started', '202': 'verification started' } },
  'POST /api/v1/projects/:project/stages/:stage/verification/abort': { summary: 'Abort the running verification', body: Empty, responses: { '200': 'aborted' } },
  'GET /api/v1/projects/:project/freight': {
    summary: 'List freight, newest first; with ?limit=N a page, whose metadata.continue the next page passes as ?continue=',
    query: FreightListQuery,
    responses: { '200': 'List of Freight' },
  },
  'GET /api/v1/projects/:project/freight/:name': { summary: 'Get freight by id or alias', responses: { '200': 'Freight' } },
  'POST /api/v1/projects/:project/prune': {
    summary: "Set the project's freight retention, drop freight and promotion records past it, and bring the state under its size budget",
    body: PruneProjectBody,
    responses: { '200': 'the retention now in force, what was dropped and the state size before and after' },
  },
  'DELETE /api/v1/projects/:project/freight/:name': { summary: 'Delete freight by id or alias; 409 while a stage holds it or a promotion of it runs', responses: { '200': 'Status' } },
  'PATCH /api/v1/projects/:project/freight/:name/alias': {
    summary: 'Give freight (by id or alias) a new alias, unique in the project; 409 when another freight has it',
    body: FreightAliasBody,
    responses: { '200': 'the freight, its new and its previous alias' },
  },
  'POST /api/v1/projects/:project/freight/:freight/approve': { summary: 'Approve freight for a stage', body: ApproveFreightBody, responses: { '200': 'Freight' } },
  'GET /api/v1/projects/:project/promotions': { summary: 'List promotions in creation order', responses: { '200': 'List of Promotion' } },
  'POST /api/v1/projects/:project/promotions': { summary: 'Promote freight to a stage (queued)', body: PromoteBody, responses: { '201': 'Promotion' } },
  'GET /api/v1/projects/:project/promotions/:name': {
    summary: 'Get a promotion with live step status; with ?wait=30s (at most 60s), once it has ended or after that long',
    query: PromotionGetQuery,
    responses: { '200': 'Promotion' },
  },
  'POST /api/v1/projects/:project/promotions/:name/approve': { summary: 'Release a promotion waiting for approval', body: Empty, responses: { '200': 'Promotion' } },
  'POST /api/v1/projects/:project/promotions/:name/retry': { summary: 'Retry a failed promotion', body: Empty, responses: { '200': 'Promotion', '201': 'Promotion' } },
  'POST /api/v1/projects/:project/promotions/:name/abort': { summary: 'Abort a running or queued promotion', body: Empty, responses: { '200': 'Promotion' } },
  'GET /api/v1/projects/:project/webhook-receivers': { summary: 'The project\'s webhook receivers and their URLs', responses: { '200': 'List of webhook receivers' } },
  'GET /api/v1/cluster/webhook-receivers': { summary: 'The ClusterConfig\'s webhook receivers and their URLs (admin over the cluster)', responses: { '200': 'List of webhook receivers' } },
  'POST /webhooks/:provider/:token': { summary: 'A webhook from GitHub, GitLab, Docker Hub, Quay or a generic sender; authenticated by the receiver\'s own secret, never by bearer token', responses: { '200': 'accepted', '202': 'accepted' } },
  'GET /api/v1/projects/:project/events': { summary: 'Kargo lifecycle events (PromotionCreated, PromotionFailed, FreightApproved, ...), newest first', query: EventsQuery, responses: { '200': 'List of Event' } },
  'GET /api/v1/projects/:project/events/stream': {
    summary: 'Server-sent lifecycle events, oldest first: the kept ones, then each new one; Last-Event-ID (an event id) resumes, across api restarts too',
    responses: { '200': 'text/event-stream' },
  },
  'GET /api/v1/projects/:project/notifications/dead-letters': { summary: 'Notifications given up on after their last attempt, newest first', query: DeadLettersQuery, responses: { '200': 'List of dead letters' } },
  'GET /api/v1/projects/:project/audit': {
    summary: 'The audit trail, newest first, denied requests included; filters stage, actor, action, outcome (exact matches) and limit',
    query: AuditQuery,
    responses: { '200': 'List of AuditEvent' },
  },
  'GET /api/v1/projects/:project/approvals': {
    summary: 'Promotions waiting for an approval the caller may give (?for=me), longest waiting first, each with the request that approves it; `refused` names the waiting promotions the caller may not approve, and why',
    query: ApprovalsQuery,
    responses: { '200': 'List of waiting approvals' },
  },
  'GET /api/v1/projects/:project/promotions/:name/changes': {
    summary: 'The commits a promotion pushed and the diff of the files they changed, read from the worker\'s git mirror (bounded: truncated says so)',
    responses: { '200': 'commits and files' },
  },
  'GET /api/v1/projects/:project/stages/:name/compare': {
    summary: 'What differs between the freight of two stages: image tags and digests, chart versions, and the git commits between their revisions',
    query: CompareQuery,
    responses: { '200': 'the comparison' },
  },
  'GET /api/v1/projects/:project/stream': {
    summary: 'Server-sent events of the stages, freight, promotions and verifications: reset, then added/changed/removed; Last-Event-ID resumes',
    responses: { '200': 'text/event-stream' },
  },
};

export function routeKey(route: ListedRoute): string {
  return `${route.method} ${route.path}`;
}

/** Parameter names do not matter for matching a route to its entry (`:name` = `:stage`). */
const shape = (key: string): string => key.replace(/:\w+/g, ':');
const DOCS_BY_SHAPE = new Map(Object.entries(ROUTE_DOCS).map(([key, doc]) => [shape(key), doc]));

export function routeDoc(route: ListedRoute): RouteDoc | undefined {
  return DOCS_BY_SHAPE.get(shape(routeKey(route)));
}

/** The document for the routes the app serves; routes without an entry get none (a test forbids that). */
export function openApiDocument(routes: readonly ListedRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const doc = routeDoc(route);
    if (doc === undefined) continue;
    const openPath = route.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (doc.query) {
      const schema = z.toJSONSchema(doc.query, { io: 'input' }) as { properties?: Record<string, unknown> };
      for (const [name, prop] of Object.entries(schema.properties ?? {})) parameters.push({ name, in: 'query', required: false, schema: prop });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, description] of Object.entries(doc.responses)) {
      responses[status] = route.path.startsWith(API_PREFIX_PATH)
        ? { description, content: { 'application/json': { schema: description.startsWith('List') ? KargoList : KargoObject } } }
        : { description };
    }
    const table = route.path.startsWith(`${API_PREFIX_PATH}/`) ? apiRoute(route.method, route.path.slice(API_PREFIX_PATH.length)) : undefined;
    const secured = table !== undefined;
    if (secured) {
      responses['400'] = { description: 'the request is malformed', content: { 'application/json': { schema: ErrorBody } } };
      responses['401'] = { description: 'no, malformed, unknown or invalid bearer token', content: { 'application/json': { schema: ErrorBody } } };
      responses['403'] = { description: 'the caller lacks the role; the message names it', content: { 'application/json': { schema: ErrorBody } } };
    }
    const operation: Record<string, unknown> = {
      summary: doc.summary,
      operationId: operationId(route),
      ...(parameters.length ? { parameters } : {}),
      responses,
      ...(table !== undefined ? { 'x-shunt-role': ROLE_FOR_ACTION[table.permission.action] } : route.path === '/metrics' ? {} : { security: [] }),
    };
    if (doc.body) {
      operation['requestBody'] = { required: !doc.body.safeParse(undefined).success, content: { 'application/json': { schema: z.toJSONSchema(doc.body, { io: 'input' }) } } };
    }
    (paths[openPath] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Shunt REST API', version, description: 'Durable GitOps promotion pipelines on Temporal, reading Kargo manifests.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A static token from the access-control file, or an OIDC JWT' } }, schemas: { Error: ErrorBody } },
    paths,
  };
}

function operationId(route: ListedRoute): string {
  const words = route.path
    .replace(API_PREFIX_PATH, '')
    .split('/')
    .filter((s) => s !== '' && !s.startsWith(':'))
    .map((s) => s.replace(/[^\w]/g, ''));
  const tail = route.path.endsWith('}') || /:\w+$/.test(route.path) ? 'One' : '';
  return `${route.method.toLowerCase()}${words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}${tail}` || 'root';
}
