/**
 * Who is calling: the api's one authentication point. `enforced` mode accepts static bearer
 * tokens (compared by SHA-256 hash) and, when configured, OIDC JWTs; `open` mode accepts every
 * request as an admin and must be chosen explicitly (SHUNT_AUTH_MODE=open).
 */
import { createHash } from 'node:crypto';
import { DomainError } from '../../core/errors.js';
import type { Grant, Subject } from '../../core/rbac/rbac.js';
import { loadAuthConfig, type AuthConfigFile } from './config-file.js';
import { OidcVerifier } from './oidc.js';
import { SignIn } from './sign-in.js';

export interface AccessControl {
  mode: 'open' | 'enforced';
  /** Resolves the caller from the Authorization header; throws DomainError('Unauthenticated') with the reason. */
  authenticate(authorization: string | undefined, claimedActor?: string): Promise<Subject>;
  /** Sign-in with the OIDC issuer, when the config names a client for it (`oidc.clientId`). */
  signIn?: SignIn;
}

const EVERYTHING: Grant[] = [{ role: 'admin', projects: ['*'], stages: ['*'] }];

/** No access control: every caller is an admin named by `x-shunt-actor` (default `anonymous`). */
export function openAccess(): AccessControl {
  return {
    mode: 'open',
    async authenticate(_authorization, claimedActor) {
      return { name: claimedActor ?? 'anonymous', via: 'open', grants: EVERYTHING };
    },
  };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

export function enforcedAccess(config: AuthConfigFile, fetchFn?: typeof fetch): AccessControl {
  const byHash = new Map(config.tokens.map((t) => [t.sha256, t]));
  const oidc = config.oidc ? new OidcVerifier(config.oidc, fetchFn) : undefined;
  const clientId = config.oidc?.clientId;
  const signIn = oidc && clientId !== undefined ? new SignIn({ ...config.oidc!, clientId }, () => oidc.discovery(), fetchFn) : undefined;
  return {
    mode: 'enforced',
    ...(signIn === undefined ? {} : { signIn }),
    async authenticate(authorization) {
      if (authorization === undefined || authorization.trim() === '') {
        throw new DomainError('Unauthenticated', 'this api requires a bearer token: send "Authorization: Bearer <token>" (shunt --token or SHUNT_TOKEN)');
      }
      const match = BEARER.exec(authorization);
      if (!match) {
        throw new DomainError('Unauthenticated', 'malformed Authorization header: expected "Bearer <token>"');
      }
      const token = match[1]!;
      const entry = byHash.get(hashToken(token));
      if (entry) return { name: entry.name, via: 'token', grants: entry.grants };
      if (JWT_SHAPE.test(token)) {
        if (oidc) return oidc.verify(token);
        throw new DomainError('Unauthenticated', 'the token looks like a JWT, but no OIDC issuer is configured');
      }
      throw new DomainError('Unauthenticated', 'unknown token: it matches no token in the access-control config');
    },
  };
}

/** The access control the api process runs with, from its settings. */
export async function accessControlFrom(settings: { authMode: 'open' | 'enforced'; authConfigPath?: string }): Promise<AccessControl> {
  if (settings.authMode === 'open') return openAccess();
  if (settings.authConfigPath === undefined) {
    throw new Error('access control needs SHUNT_AUTH_CONFIG (a file of hashed tokens and roles), or SHUNT_AUTH_MODE=open to run without it');
  }
  return enforcedAccess(await loadAuthConfig(settings.authConfigPath));
}
