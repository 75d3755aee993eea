/**
 * Sign-in with the configured OpenID provider: what the page and `shunt login` need to know
 * (`GET /api/v1/auth/config`), and the page's token requests, relayed to the issuer's token
 * endpoint (`POST /api/v1/auth/token`).
 *
 * Why a relay and not the browser calling the issuer: the page's CSP stays `connect-src 'self'`
 * whatever the issuer is (its token endpoint may even be on another origin than the issuer,
 * as Google's is), and sign-in does not depend on the issuer answering CORS requests. The relay
 * forwards only the two grants of a public client (authorization code with its PKCE verifier,
 * refresh token) for the configured page client to the discovered token endpoint; it holds no
 * secret, and stores and logs nothing of what passes.
 */
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { parseJSONResponse } from '../../core/external-response.js';
import type { OidcSpec } from './config-file.js';
import type { DiscoveryDocument } from './oidc.js';

/** What `GET /api/v1/auth/config` answers. */
export interface AuthConfigAnswer {
  oidc?: {
    issuer: string;
    /** The page's public client. */
    clientId: string;
    /** The public client of `shunt login`. */
    cliClientId: string;
    scopes: string[];
    /** The `aud` the api requires of an access token. */
    audience: string;
    /** Sent as the RFC 8707 `resource` parameter so the token is issued for this api; absent when the audience is not a URI. */
    resource?: string;
    authorizationEndpoint?: string;
    /** The relay of the page's token requests (this api). */
    tokenEndpoint?: string;
    /** Why the endpoints are missing (the issuer could not be read): sign-in is not possible now. */
    problem?: string;
  };
}

export const TOKEN_RELAY_PATH = '/api/v1/auth/token';

/** The body of a token request the page sends to the relay. */
export const TokenRelayBody = z.discriminatedUnion('grant_type', [
  z.object({ grant_type: z.literal('authorization_code'), code: z.string().min(1).max(4096), code_verifier: z.string().regex(/^[A-Za-z0-9._~-]{43,128}$/, 'must be an RFC 7636 code verifier (43 to 128 characters)'), redirect_uri: z.string().url() }).strict(),
  z.object({ grant_type: z.literal('refresh_token'), refresh_token: z.string().min(1).max(8192) }).strict(),
], { error: 'must be "authorization_code" or "refresh_token"' });
export type TokenRelayBody = z.infer<typeof TokenRelayBody>;

/** The issuer's token response, as the page gets it (nothing else of the issuer's answer passes). */
const TokenAnswer = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().optional(),
  refresh_token: z.string().optional(),
  id_token: z.string().optional(),
  scope: z.string().optional(),
});
export type TokenAnswer = z.infer<typeof TokenAnswer>;

const TokenError = z.object({ error: z.string(), error_description: z.string().optional() });

/**
 * The RFC 8707 resource indicator for an audience: the audience itself when it is an absolute
 * URI (as RFC 8707 requires), else none (the issuer then sets the audience on its own, as a
 * Keycloak audience mapper or an Okta authorization server does).
 */
export function resourceIndicatorOf(audience: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(audience)) return undefined;
  try {
    const url = new URL(audience);
    return url.hash === '' ? audience : undefined;
  } catch {
    return undefined;
  }
}

export class SignIn {
  readonly clientId: string;

  constructor(
    private readonly spec: OidcSpec & { clientId: string },
    private readonly discovery: () => Promise<DiscoveryDocument>,
    private readonly fetchFn: typeof fetch = globalThis.fetch,
  ) {
    this.clientId = spec.clientId;
  }

  async answer(): Promise<AuthConfigAnswer> {
    const resource = resourceIndicatorOf(this.spec.audience);
    const base = {
      issuer: this.spec.issuer,
      clientId: this.spec.clientId,
      cliClientId: this.spec.cliClientId ?? this.spec.clientId,
      scopes: [...this.spec.scopes],
      audience: this.spec.audience,
      ...(resource === undefined ? {} : { resource }),
    };
    try {
      const doc = await this.discovery();
      if (doc.authorization_endpoint === undefined || doc.token_endpoint === undefined) {
        return { oidc: { ...base, problem: `the issuer ${this.spec.issuer} names no authorization or token endpoint in its discovery document` } };
      }
      return { oidc: { ...base, authorizationEndpoint: doc.authorization_endpoint, tokenEndpoint: TOKEN_RELAY_PATH } };
    } catch (err) {
      return { oidc: { ...base, problem: err instanceof Error ? err.message : String(err) } };
    }
  }

  /** Forwards a token request of the page to the issuer; the issuer's refusal is a 400 saying why. */
  async relay(body: TokenRelayBody): Promise<TokenAnswer> {
    const doc = await this.discovery();
    if (doc.token_endpoint === undefined) {
      throw new DomainError('Unavailable', `the issuer ${this.spec.issuer} names no token endpoint in its discovery document`);
    }
    const form = new URLSearchParams({ ...body, client_id: this.spec.clientId });
    const resource = resourceIndicatorOf(this.spec.audience);
    if (resource !== undefined) form.set('resource', resource);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchFn(doc.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        signal: AbortSignal.timeout(10_000),
      });
      text = await response.text();
    } catch (err) {
      throw new DomainError('Unavailable', `cannot reach the token endpoint of ${this.spec.issuer}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const what = `the token endpoint of ${this.spec.issuer}`;
    if (!response.ok) {
      const refusal = TokenError.safeParse(safeJson(text));
      if (response.status < 500 && refusal.success) {
        const why = refusal.data.error_description === undefined ? '' : ` (${refusal.data.error_description})`;
        throw new DomainError('BadRequest', `the issuer refused the token request: ${refusal.data.error}${why}`);
      }
      throw new DomainError('Unavailable', `${what} answered ${response.status}`);
    }
    const answer = parseJSONResponse(TokenAnswer, text, what, (message) => new DomainError('Unavailable', message));
    return Object.fromEntries(Object.entries(answer).filter(([, v]) => v !== undefined)) as TokenAnswer;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
