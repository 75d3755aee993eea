import type { RequestHandler } from 'express';
import { DomainError } from '../../core/errors.js';
import type { AccessControl } from '../auth/access-control.js';
import { TokenRelayBody } from '../auth/sign-in.js';
import { parseBody } from '../parse-body.js';

/**
 * POST /api/v1/auth/token, open (the page has no token yet): the page's authorization-code and
 * refresh-token requests, relayed to the issuer's token endpoint (api/auth/sign-in.ts says why).
 */
export function relayToken(access: AccessControl): RequestHandler {
  return async (req, res) => {
    if (access.signIn === undefined) throw new DomainError('NotFound', 'this api has no OIDC sign-in: its access-control config names no oidc.clientId');
    const body = parseBody(TokenRelayBody, req.body, 'invalid token request');
    const answer = await access.signIn.relay(body);
    res.setHeader('cache-control', 'no-store');
    res.json(answer);
  };
}
