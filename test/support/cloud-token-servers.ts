/**
 * Loopback servers speaking the cloud registries' token exchanges, in the documented wire
 * formats, checking what the real services check:
 * - AWS: ECR GetAuthorizationToken (JSON 1.1, `X-Amz-Target`), its SigV4 signature recomputed
 *   here from the AWS documentation's algorithm (canonical request, string to sign, derived key),
 *   and STS AssumeRoleWithWebIdentity (query API, XML answer) issuing temporary keys that ECR
 *   then accepts only with their session token.
 * - Google: the OAuth2 token endpoint's JWT-bearer grant (RFC 7523; the assertion's signature
 *   verified with the service account's public key, iss, aud = this endpoint, scope, iat/exp),
 *   and the metadata server's token (only with `Metadata-Flavor: Google`).
 * - Azure: Microsoft Entra's client-credentials grant (client secret or federated client
 *   assertion) and ACR's `/oauth2/exchange` (AAD access token → ACR refresh token).
 * Errors have each service's shape. Every request is recorded (never answered from a tenant's URL).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, createHmac, generateKeyPairSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { jwtVerify } from 'jose';

export interface Seen {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Reply = { status: number; body: string; headers?: Record<string, string> };

abstract class LoopbackServer {
  readonly requests: Seen[] = [];
  private server: http.Server | undefined;
  url = '';

  async start(): Promise<string> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.requests.push(seen);
        void Promise.resolve(this.handle(seen)).then((r) => res.writeHead(r.status, { 'content-type': 'application/json', ...(r.headers ?? {}) }).end(r.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  protected abstract handle(req: Seen): Reply | Promise<Reply>;
}

const json = (status: number, body: object, headers: Record<string, string> = {}): Reply => ({ status, body: JSON.stringify(body), headers });
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string): Buffer => createHmac('sha256', key).update(s).digest();

// ---- AWS ------------------------------------------------------------------------------------

interface AwsKey {
  secret: string;
  sessionToken?: string;
}

export class AwsServer extends LoopbackServer {
  /** Access key id → secret (and session token, for STS-issued keys). */
  readonly keys = new Map<string, AwsKey>();
  /** What STS accepts: the projected token and the role. */
  webIdentity: { token: string; roleArn: string } | undefined;
  /** The registry password GetAuthorizationToken hands out. */
  readonly registryPassword = `eyJwYXlsb2FkIjoi${randomBytes(24).toString('hex')}`;
  tokenTtlMs = 12 * 3_600_000;

  protected handle(req: Seen): Reply {
    if (req.headers['x-amz-target'] === 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken') return this.ecr(req);
    const form = new URLSearchParams(req.body);
    if (form.get('Action') === 'AssumeRoleWithWebIdentity') return this.sts(form);
    return json(400, { __type: 'UnknownOperationException' });
  }

  /** SigV4 as documented ("Create a signed AWS API request"), recomputed from the request. */
  private verifySigV4(req: Seen, service: string): { key: AwsKey; region: string } | Reply {
    const invalid = (type: string, message: string): Reply => json(type === 'InvalidSignatureException' ? 403 : 400, { __type: type, message }, { 'x-amzn-errortype': type });
    const auth = req.headers.authorization ?? '';
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return invalid('IncompleteSignatureException', 'Authorization header requires Credential, SignedHeaders and Signature.');
    const [, akid, date, region, svc, signedHeaders, signature] = m as unknown as string[];
    const key = this.keys.get(akid!);
    if (!key) return invalid('UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (svc !== service) return invalid('InvalidSignatureException', `Credential should be scoped to correct service: '${service}'.`);
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const t = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    if (!Number.isFinite(t) || Math.abs(Date.now() - t) > 15 * 60_000 || !amzDate.startsWith(date!)) return invalid('InvalidSignatureException', 'Signature expired or X-Amz-Date is invalid.');
    if (key.sessionToken !== undefined && req.headers['x-amz-security-token'] !== key.sessionToken) return invalid('UnrecognizedClientException', 'The security token included in the request is invalid.');
    const names = signedHeaders!.split(';');
    if (!names.includes('host') || !names.includes('x-amz-date')) return invalid('InvalidSignatureException', 'host and x-amz-date must be signed.');
    const [path, query = ''] = req.path.split('?');
    const canonicalHeaders = names.map((n) => `${n}:${String(req.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
    const canonicalQuery = query
      .split('&')
      .filter(Boolean)
      .sort()
      .join('&');
    const canonicalRequest = [req.method, path, canonicalQuery, canonicalHeaders, signedHeaders, sha256(req.body)].join('\n');
    const scope = `${date}/${region}/${svc}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secret}`, date!), region!), svc!), 'aws4_request');
    const expected = hmac(signingKey, stringToSign);
    if (!timingSafeEqual(expected, Buffer.from(signature!, 'hex'))) {
      return invalid('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.');
    }
    return { key, region: region! };
  }

  private ecr(req: Seen): Reply {
    const ok = this.verifySigV4(req, 'ecr');
    if ('status' in ok) return ok;
    if (req.headers['content-type'] !== 'application/x-amz-json-1.1') return json(400, { __type: 'SerializationException' });
    return json(200, {
      authorizationData: [
        {
          authorizationToken: Buffer.from(`AWS:${this.registryPassword}`).toString('base64'),
          expiresAt: (Date.now() + this.tokenTtlMs) / 1000,
          proxyEndpoint: `https://123456789012.dkr.ecr.${ok.region}.amazonaws.com`,
        },
      ],
    }, { 'content-type': 'application/x-amz-json-1.1' });
  }

  private sts(form: URLSearchParams): Reply {
    const xmlError = (status: number, code: string, message: string): Reply => ({
      status,
      headers: { 'content-type': 'text/xml' },
      body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
    });
    if (form.get('Version') !== '2011-06-15') return xmlError(400, 'InvalidParameterValue', 'Version');
    if (!this.webIdentity || form.get('WebIdentityToken') !== this.webIdentity.token) return xmlError(400, 'InvalidIdentityToken', 'Couldn\'t retrieve verification key from your identity provider');
    if (form.get('RoleArn') !== this.webIdentity.roleArn) return xmlError(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
    if (!form.get('RoleSessionName')) return xmlError(400, 'ValidationError', 'RoleSessionName');
    const akid = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const key = { secret: randomBytes(20).toString('base64'), sessionToken: randomBytes(32).toString('base64') };
    this.keys.set(akid, key);
    const expiration = new Date(Date.now() + 3_600_000).toISOString();
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials><SessionToken>${key.sessionToken}</SessionToken><SecretAccessKey>${key.secret}</SecretAccessKey><Expiration>${expiration}</Expiration><AccessKeyId>${akid}</AccessKeyId></Credentials><Audience>sts.amazonaws.com</Audience></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
    };
  }
}

// ---- Google ---------------------------------------------------------------------------------

export function serviceAccountKey(email = 'puller@proj.iam.gserviceaccount.com'): { json: string; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const json = JSON.stringify({
    type: 'service_account',
    project_id: 'proj',
    private_key_id: 'k1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: email,
    client_id: '1',
    // A tenant's key file may name any token_uri: Shunt must not follow it.
    token_uri: 'http://169.254.169.254/evil',
  });
  return { json, publicKey };
}

export class GoogleServer extends LoopbackServer {
  readonly accounts = new Map<string, KeyObject>();
  readonly issued: string[] = [];
  metadataToken = `ya29.metadata-${randomBytes(8).toString('hex')}`;

  get tokenURL(): string {
    return `${this.url}/token`;
  }

  protected async handle(req: Seen): Promise<Reply> {
    if (req.method === 'GET' && req.path === '/computeMetadata/v1/instance/service-accounts/default/token') {
      if (req.headers['metadata-flavor'] !== 'Google') return { status: 403, body: 'Missing required header "Metadata-Flavor"', headers: { 'content-type': 'text/html' } };
      return json(200, { access_token: this.metadataToken, expires_in: 3599, token_type: 'Bearer' }, { 'metadata-flavor': 'Google' });
    }
    if (req.method !== 'POST' || req.path !== '/token') return json(404, { error: 'not_found' });
    const form = new URLSearchParams(req.body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return json(400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' });
    const assertion = form.get('assertion') ?? '';
    let iss: unknown;
    try {
      iss = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString()).iss;
    } catch {
      return json(400, { error: 'invalid_grant', error_description: 'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe' });
    }
    const key = typeof iss === 'string' ? this.accounts.get(iss) : undefined;
    if (!key) return json(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    let claims;
    try {
      ({ payload: claims } = await jwtVerify(assertion, key, { algorithms: ['RS256'], audience: this.tokenURL }));
    } catch {
      return json(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    }
    if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number' || claims.exp - claims.iat > 3600 || claims.iat > Date.now() / 1000 + 60) {
      return json(400, { error: 'invalid_grant', error_description: 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.' });
    }
    if (claims['scope'] !== 'https://www.googleapis.com/auth/devstorage.read_only') return json(400, { error: 'invalid_scope', error_description: 'Invalid OAuth scope or ID token audience provided.' });
    const token = `ya29.${randomBytes(16).toString('hex')}`;
    this.issued.push(token);
    return json(200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
  }
}

// ---- Azure ----------------------------------------------------------------------------------

export class AzureServer extends LoopbackServer {
  tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  /** Service principals: client id → secret. */
  readonly secrets = new Map<string, string>();
  /** Workload identity: client id → the federated token it accepts as assertion. */
  readonly federated = new Map<string, string>();
  readonly aadTokens = new Set<string>();
  readonly refreshTokens: string[] = [];

  protected handle(req: Seen): Reply {
    const form = new URLSearchParams(req.body);
    if (req.method === 'POST' && req.path === `/${this.tenant}/oauth2/v2.0/token`) return this.aad(form);
    if (req.method === 'POST' && req.path === '/oauth2/exchange') return this.exchange(form);
    if (req.method === 'POST' && /\/oauth2\/v2\.0\/token$/.test(req.path)) {
      return json(400, { error: 'invalid_request', error_description: "AADSTS90002: Tenant not found." });
    }
    return json(404, { errors: [{ code: 'NOT_FOUND' }] });
  }

  private aad(form: URLSearchParams): Reply {
    if (form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003' });
    if (form.get('scope') !== 'https://containerregistry.azure.net/.default') return json(400, { error: 'invalid_scope', error_description: 'AADSTS70011: The provided value for the input parameter scope is not valid.' });
    const client = form.get('client_id') ?? '';
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    const ok =
      (secret !== null && this.secrets.get(client) === secret) ||
      (assertion !== null && form.get('client_assertion_type') === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' && this.federated.get(client) === assertion);
    if (!ok) return json(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
    const token = `aad.${randomBytes(16).toString('hex')}`;
    this.aadTokens.add(token);
    return json(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
  }

  private exchange(form: URLSearchParams): Reply {
    if (form.get('grant_type') !== 'access_token') return json(400, { errors: [{ code: 'UNSUPPORTED', message: 'grant_type' }] });
    if (form.get('tenant') !== this.tenant || !/\.azurecr\.io$/.test(form.get('service') ?? '')) return json(400, { errors: [{ code: 'BAD_REQUEST', message: 'service or tenant' }] });
    if (!this.aadTokens.has(form.get('access_token') ?? '')) return json(401, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid access token' }] });
    const exp = Math.floor(Date.now() / 1000) + 3 * 3600;
    const refresh = `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ exp, aud: form.get('service') })).toString('base64url')}.sig${randomBytes(8).toString('hex')}`;
    this.refreshTokens.push(refresh);
    return json(200, { refresh_token: refresh });
  }
}
