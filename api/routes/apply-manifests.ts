import type { RequestHandler } from 'express';
import { ApplyBody } from '../../core/api/requests.js';
import { parseBody } from '../parse-body.js';
import { actorOf } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { noteApplied } from '../webhooks/receiver-index.js';

export { ApplyBody };

/** POST /api/v1/apply `{files: [{name, content}], dryRun?}`: parse, validate and apply manifests. */
export function applyManifests({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const body = parseBody(ApplyBody, req.body, 'invalid apply request');
    const result = await backend.apply(body.files, { dryRun: body.dryRun ?? false, actor: actorOf(res) });
    await noteApplied(backend, result); // webhook receivers it added or changed answer at once
    res.status(200).json(result);
  };
}
