import type { RequestHandler } from 'express';
import type { AccessControl } from '../auth/access-control.js';
import type { AuthConfigAnswer } from '../auth/sign-in.js';

/**
 * GET /api/v1/auth/config, open to everyone (it holds no secret): how to sign in. `{}` when the
 * api has no OIDC sign-in (open mode, or no `oidc.clientId` in the access-control config).
 */
export function getAuthConfig(access: AccessControl): RequestHandler {
  return async (_req, res) => {
    const answer: AuthConfigAnswer = access.signIn === undefined ? {} : await access.signIn.answer();
    res.setHeader('cache-control', 'no-store');
    res.json(answer);
  };
}
