import type { RequestHandler } from 'express';
import { z } from 'zod';
import { parseBody } from '../parse-body.js';
import { actorOf } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

const requiredString = (what: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? 'required' : `${what} must be a string`) });

export const ApplyBody = z.object({
  files: z
    .array(
      z.object({
        name: requiredString('name').min(1, 'must not be empty'),
        content: requiredString('content'),
      }),
      { error: (issue) => (issue.input === undefined ? 'required' : 'must be an array of {name, content}') },
    )
    .min(1, 'at least one file is required'),
  dryRun: z.boolean({ error: 'must be true or false' }).optional(),
});

/** POST /api/v1/apply `{files: [{name, content}], dryRun?}`: parse, validate and apply manifests. */
export function applyManifests({ backend }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const body = parseBody(ApplyBody, req.body, 'invalid apply request');
    const result = await backend.apply(body.files, { dryRun: body.dryRun ?? false, actor: actorOf(res) });
    res.status(200).json(result);
  };
}
