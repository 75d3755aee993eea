import type { RequestHandler } from 'express';
import { FreightAliasBody } from '../../core/api/requests.js';
import { parseBody } from '../parse-body.js';
import { actorOf, param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

/** PATCH /api/v1/projects/:project/freight/:name/alias `{alias}`: give the freight (id or alias) a new alias. */
export function updateFreightAliasRoute({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const body = parseBody(FreightAliasBody, req.body, 'invalid alias request');
    const change = await backend.updateFreightAlias(project, { freight: param(req, 'name'), alias: body.alias, actor: actorOf(res) });
    res.json(change);
  };
}
