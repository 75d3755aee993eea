/**
 * OIDC bearer tokens: a JWT signed by the configured issuer, verified against the issuer's
 * JWKS (fetched and cached by `jose`), with issuer, audience and expiry checked. The actor is
 * `oidc:` + the username claim; the groups claim maps to grants through the config file.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { parseJSONResponse } from '../../core/external-response.js';
import type { Grant, Subject } from '../../core/rbac/rbac.js';
import { OIDC_ACTOR_PREFIX, type OidcSpec } from './config-file.js';

/** How long reading the issuer's discovery document may take: an open route (GET /auth/config) waits on it. */
const DISCOVERY_TIMEOUT_MS = 5000;

/** The fields of an issuer's OpenID discovery document Shunt reads. */
const DiscoveryDocument = z.object({
  jwks_uri: z.string().min(1),
  authorization_endpoint: z.string().url().optional(),
  token_endpoint: z.string().url().optional(),
});
export type DiscoveryDocument = z.infer<typeof DiscoveryDocument>;

export class OidcVerifier {
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  private discovered: Promise<DiscoveryDocument> | undefined;

  constructor(
    private readonly spec: OidcSpec,
    private readonly fetchFn: typeof fetch = globalThis.fetch,
  ) {}

  async verify(token: string): Promise<Subject> {
    const jwks = await this.keySet();
    let payload: JWTPayload;
    try {
      // `exp` required: a token that never expires would be a password nobody can revoke.
      ({ payload } = await jwtVerify(token, jwks, { issuer: this.spec.issuer, audience: this.spec.audience, requiredClaims: ['exp'] }));
    } catch (err) {
      throw jwtRefusal(err, this.spec);
    }
    const claimed = claimString(payload, this.spec.usernameClaim) ?? claimString(payload, 'sub');
    if (claimed === undefined) {
      throw new DomainError('Unauthenticated', `the token has neither a "${this.spec.usernameClaim}" nor a "sub" claim`);
    }
    const groups = claimStrings(payload, this.spec.groupsClaim);
    const grants: Grant[] = this.spec.groups.filter((g) => groups.includes(g.group)).flatMap((g) => g.grants);
    return { name: oidcActorName(claimed), via: 'oidc', grants };
  }

  private async keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.jwks) return this.jwks;
    const uri = this.spec.jwksUri ?? (await this.discovery()).jwks_uri;
    this.jwks = createRemoteJWKSet(new URL(uri), { timeoutDuration: 5000, cooldownDuration: 30_000 });
    return this.jwks;
  }

  /** The issuer's discovery document, read once (a failed read is tried again next time). */
  discovery(): Promise<DiscoveryDocument> {
    this.discovered ??= this.readDiscovery().catch((err: unknown) => {
      this.discovered = undefined;
      throw err;
    });
    return this.discovered;
  }

  private async readDiscovery(): Promise<DiscoveryDocument> {
    const url = `${this.spec.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const what = `the OIDC issuer's discovery document ${url}`;
    let text: string;
    try {
      const response = await this.fetchFn(url, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`answered ${response.status}`);
      text = await response.text();
    } catch (err) {
      throw new DomainError('Unavailable', `cannot read ${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return parseJSONResponse(DiscoveryDocument, text, what, (message) => new DomainError('Unavailable', message));
  }
}

/** What each kind of bad JWT gets: a 401 saying why (503 when the issuer's keys cannot be fetched). */
function jwtRefusal(err: unknown, spec: OidcSpec): DomainError {
  if (err instanceof errors.JWTExpired) return new DomainError('Unauthenticated', `the token expired (exp ${String(err.payload.exp)})`);
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new DomainError('Unauthenticated', `the token's signature does not verify against the keys of ${spec.issuer}`);
  }
  if (err instanceof errors.JWKSNoMatchingKey) {
    return new DomainError('Unauthenticated', `no key of ${spec.issuer} matches the token's key id`);
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    return new DomainError('Unauthenticated', `the token's "${err.claim}" claim is refused: ${err.message}`);
  }
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
    return new DomainError('Unavailable', `cannot fetch the signing keys of ${spec.issuer}: ${err.message}`);
  }
  if (err instanceof errors.JOSEError) return new DomainError('Unauthenticated', `the token is not a valid JWT: ${err.message}`);
  return new DomainError('Unavailable', `cannot verify the token against ${spec.issuer}: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * The actor an OIDC user is recorded as: `oidc:<username>`, a namespace static token names may
 * not use (config-file.ts), so that no OIDC user can take a token's name in the audit trail.
 */
export function oidcActorName(username: string): string {
  return `${OIDC_ACTOR_PREFIX}${username}`;
}

function claimString(payload: JWTPayload, claim: string): string | undefined {
  const value = payload[claim];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function claimStrings(payload: JWTPayload, claim: string): string[] {
  const value = payload[claim];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
