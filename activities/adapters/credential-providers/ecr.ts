/**
 * Amazon ECR (Kargo's pkg/credentials/ecr). A Secret's `awsRegion`, `awsAccessKeyID` and
 * `awsSecretAccessKey` sign (SigV4, service `ecr`) a GetAuthorizationToken call; its answer is
 * base64 `AWS:<password>`, valid 12 hours, used as the registry login. The ambient chain (no
 * Secret, the operator's SHUNT_AMBIENT_REGISTRY_CREDENTIALS): the pod's IRSA web identity token
 * (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN) is exchanged at STS (AssumeRoleWithWebIdentity,
 * unsigned) for temporary keys, which then sign GetAuthorizationToken the same way.
 */
import { readFile } from 'node:fs/promises';
import aws4 from 'aws4';
import { z } from 'zod';
import { DomainError } from '../../../core/errors.js';
import { ECR_FIELDS, ECR_REPO, registryRepo } from '../../../core/credentials/fields.js';
import type { RepoCredentials } from '../credentials.js';
import type { CredentialProviderSettings } from './settings.js';
import { cacheKey, type TokenCache } from './token-cache.js';
import { errorCode, exchangeRefused, parseJSON, trustedRequest } from './trusted-request.js';

const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$/;

interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface EcrDeps {
  settings: CredentialProviderSettings;
  cache: TokenCache<RepoCredentials>;
  keys: TokenCache<AwsKeys>;
  signal?: AbortSignal | undefined;
}

/** The registry's region when `repoURL` is an ECR repository. */
export function ecrRegion(repoURL: string): string | undefined {
  return ECR_REPO.exec(registryRepo(repoURL))?.[2];
}

export function hasEcrKeys(data: Readonly<Record<string, string>>): boolean {
  return Object.values(ECR_FIELDS).every((f) => (data[f] ?? '') !== '');
}

/** GetAuthorizationToken's answer (AWS JSON 1.1): the first authorization data is the registry's. */
const AuthorizationTokenAnswer = z.object({
  authorizationData: z.tuple([z.object({ authorizationToken: z.string(), expiresAt: z.number().optional() })], z.unknown()),
});

function endpoint(template: string, region: string): URL {
  if (!AWS_REGION.test(region)) throw new DomainError('StepFailed', `${ECR_FIELDS.region} ${JSON.stringify(region)} is not an AWS region`);
  return new URL(template.replaceAll('{region}', region));
}

/** GetAuthorizationToken, SigV4-signed with `keys`. */
async function authorizationToken(region: string, keys: AwsKeys, deps: EcrDeps): Promise<{ value: RepoCredentials; expiresAt?: number | undefined }> {
  const url = endpoint(deps.settings.ecrEndpoint, region);
  const what = `ECR authorization token (${region})`;
  const body = '{}';
  const signed = aws4.sign(
    {
      host: url.host,
      path: url.pathname === '' ? '/' : url.pathname,
      method: 'POST',
      service: 'ecr',
      region,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken' },
      body,
    },
    keys,
  );
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers ?? {})) if (k.toLowerCase() !== 'host' && k.toLowerCase() !== 'content-length') headers[k] = String(v);
  const res = await trustedRequest(what, url.href, { headers, body, signal: deps.signal });
  if (res.status !== 200) throw exchangeRefused(what, url.href, res.status, errorCode(res.text));
  const data = parseJSON(what, res.text, AuthorizationTokenAnswer).authorizationData[0];
  const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new DomainError('StepFailed', `${what}: the token is not base64 of user:password`);
  const expiresAt = data.expiresAt !== undefined ? data.expiresAt * 1000 : undefined;
  return { value: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }, expiresAt };
}

/** The login for `repoURL` from a Secret's static keys. */
export async function ecrLogin(data: Readonly<Record<string, string>>, deps: EcrDeps): Promise<RepoCredentials> {
  const region = (data[ECR_FIELDS.region] ?? '').trim();
  const keys = { accessKeyId: data[ECR_FIELDS.accessKeyID]!.trim(), secretAccessKey: data[ECR_FIELDS.secretAccessKey]! };
  return deps.cache.get(cacheKey('ecr', region, keys.accessKeyId, keys.secretAccessKey), () => authorizationToken(region, keys, deps));
}

/** Whether the worker's environment has an IRSA web identity (and ambient credentials are on). */
export function ecrAmbientAvailable(settings: CredentialProviderSettings): boolean {
  return settings.ambient && !!settings.env['AWS_ROLE_ARN'] && !!settings.env['AWS_WEB_IDENTITY_TOKEN_FILE'];
}

/** The text of the first `<tag>…</tag>` (STS answers are flat, with no attributes on these). */
function xmlValue(xml: string, tag: string): string | undefined {
  const start = xml.indexOf(`<${tag}>`);
  if (start < 0) return undefined;
  const end = xml.indexOf(`</${tag}>`, start);
  return end < 0 ? undefined : xml.slice(start + tag.length + 2, end);
}

/** STS AssumeRoleWithWebIdentity with the pod's projected token (the documented query API, XML answer). */
async function webIdentityKeys(region: string, deps: EcrDeps): Promise<{ value: AwsKeys; expiresAt?: number | undefined }> {
  const env = deps.settings.env;
  const url = endpoint(deps.settings.stsEndpoint, region);
  const what = 'STS AssumeRoleWithWebIdentity';
  let token: string;
  try {
    token = (await readFile(env['AWS_WEB_IDENTITY_TOKEN_FILE']!, 'utf8')).trim();
  } catch (err) {
    throw new DomainError('StepFailed', `${what}: AWS_WEB_IDENTITY_TOKEN_FILE cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const form = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: env['AWS_ROLE_ARN']!,
    RoleSessionName: (env['AWS_ROLE_SESSION_NAME'] ?? 'shunt-worker').slice(0, 64),
    WebIdentityToken: token,
  });
  const res = await trustedRequest(what, url.href, { headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: form.toString(), signal: deps.signal });
  if (res.status !== 200) throw exchangeRefused(what, url.href, res.status, errorCode(res.text));
  const accessKeyId = xmlValue(res.text, 'AccessKeyId');
  const secretAccessKey = xmlValue(res.text, 'SecretAccessKey');
  const sessionToken = xmlValue(res.text, 'SessionToken');
  if (!accessKeyId || !secretAccessKey || !sessionToken) throw new DomainError('StepFailed', `${what}: the answer has no Credentials`);
  const expiration = Date.parse(xmlValue(res.text, 'Expiration') ?? '');
  return { value: { accessKeyId, secretAccessKey, sessionToken }, expiresAt: Number.isFinite(expiration) ? expiration : undefined };
}

/** The login for an ECR `repoURL` from the worker's web identity. */
export async function ecrAmbientLogin(repoURL: string, deps: EcrDeps): Promise<RepoCredentials> {
  const region = ecrRegion(repoURL)!;
  const roleArn = deps.settings.env['AWS_ROLE_ARN']!;
  const keys = await deps.keys.get(cacheKey('sts', region, roleArn), () => webIdentityKeys(region, deps));
  return deps.cache.get(cacheKey('ecr-ambient', region, roleArn, keys.accessKeyId), () => authorizationToken(region, keys, deps));
}
