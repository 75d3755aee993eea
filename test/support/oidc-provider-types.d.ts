/**
 * The few parts of `oidc-provider` (v9, which ships no types) that test/support/oidc-provider.ts
 * uses.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface KoaContextWithOIDC {
    type: string;
    body: unknown;
  }

  export interface ClientLike {
    grantTypeAllowed(type: string): boolean;
  }

  export interface AccountLike {
    accountId: string;
    claims(): Record<string, unknown> | Promise<Record<string, unknown>>;
  }

  export interface Configuration {
    clients?: Record<string, unknown>[];
    jwks?: { keys: unknown[] };
    cookies?: { keys: string[] };
    pkce?: { required?: (ctx: KoaContextWithOIDC, client: ClientLike) => boolean };
    claims?: Record<string, string[]>;
    scopes?: string[];
    findAccount?: (ctx: KoaContextWithOIDC, sub: string) => Promise<AccountLike | undefined>;
    extraTokenClaims?: (ctx: KoaContextWithOIDC, token: object) => Promise<Record<string, unknown> | undefined>;
    issueRefreshToken?: (ctx: KoaContextWithOIDC, client: ClientLike, code: unknown) => Promise<boolean>;
    ttl?: Record<string, number>;
    features?: Record<string, unknown>;
    interactions?: { url: (ctx: KoaContextWithOIDC, interaction: { uid: string }) => string };
    renderError?: (ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }, error: Error) => void;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; details: Record<string, unknown> };
    params: Record<string, unknown>;
    session?: { accountId: string };
    grantId?: string;
  }

  export interface GrantLike {
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(indicator: string, scope: string): void;
    save(): Promise<string>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    Grant: { new (init: { accountId: string; clientId: string }): GrantLike; find(id: string): Promise<GrantLike | undefined> };
  }
}
