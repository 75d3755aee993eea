/**
 * Issue 18: image (and oci helm) credential Secrets for ECR, GAR/GCR and ACR are turned into
 * registry logins as Kargo's providers do, through the resolver every worker store goes through
 * (discovery and the registry steps call `credentials.image()` / `.helm()`). Each exchange runs
 * against a local server speaking the provider's documented wire format (the real endpoints
 * cannot be reached here); only operator settings move the endpoints, never a Secret.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileCredentialStore, type CredentialStore } from '../../activities/adapters/credentials.js';
import { CredentialProviders, credentialProviderSettingsFromEnv, resolvingStore, type CredentialProviderSettings } from '../../activities/adapters/credential-providers/index.js';
import { DomainError } from '../../core/errors.js';
import { AwsServer, AzureServer, GoogleServer, serviceAccountKey } from '../support/cloud-token-servers.js';
import { Disposer, tempDir } from '../support/git-repos.js';

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const ECR = '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app';
const GAR = 'us-docker.pkg.dev/proj/repo/app';
const ACR = 'myreg.azurecr.io/team/app';

async function store(settings: Partial<CredentialProviderSettings>, secrets: { type?: string; data: Record<string, string> }[], opts: { now?: () => number } = {}): Promise<CredentialStore> {
  const dir = await tempDir(disposer, 'shunt-cloud-creds-');
  const docs = secrets.map((s, i) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `reg-${i}`, namespace: 'guestbook', labels: { 'kargo.akuity.io/cred-type': s.type ?? 'image' } },
    stringData: s.data,
  }));
  await fs.promises.writeFile(path.join(dir, 'creds.yaml'), docs.map((d) => JSON.stringify(d)).join('\n---\n'));
  return resolvingStore(new FileCredentialStore(dir).forProject('guestbook'), new CredentialProviders(settings, opts));
}

async function started<T extends { start(): Promise<string>; stop(): Promise<void> }>(server: T): Promise<T> {
  await server.start();
  disposer.add(() => server.stop());
  return server;
}

describe('ECR', () => {
  it('static keys: a SigV4-signed GetAuthorizationToken (checked by recomputing the signature) becomes the login, cached until near expiry', async () => {
    const aws = await started(new AwsServer());
    aws.keys.set('AKIAIOSFODNN7EXAMPLE', { secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
    let now = Date.now();
    const keys = { awsRegion: 'us-east-1', awsAccessKeyID: 'AKIAIOSFODNN7EXAMPLE', awsSecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
    const creds = await store({ ecrEndpoint: aws.url }, [{ data: { repoURL: ECR, ...keys } }, { type: 'helm', data: { repoURL: `oci://${ECR}`, ...keys } }], { now: () => now });
    expect(await creds.image(ECR)).toEqual({ username: 'AWS', password: aws.registryPassword });
    expect(await creds.helm(`oci://${ECR}`)).toEqual({ username: 'AWS', password: aws.registryPassword });
    expect(aws.requests).toHaveLength(1);
    now += 12 * 3_600_000 - 4 * 60_000; // within five minutes of expiresAt
    await creds.image(ECR);
    expect(aws.requests).toHaveLength(2);
  });

  it('a wrong secret key: AWS refuses the signature; the step fails naming the error code, never the key', async () => {
    const aws = await started(new AwsServer());
    aws.keys.set('AKIAIOSFODNN7EXAMPLE', { secret: 'the-real-secret' });
    const creds = await store({ ecrEndpoint: aws.url }, [{ data: { repoURL: ECR, awsRegion: 'us-east-1', awsAccessKeyID: 'AKIAIOSFODNN7EXAMPLE', awsSecretAccessKey: 'a-wrong-secret' } }]);
    const err = (await creds.image(ECR).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(DomainError);
    expect(err.message).toBe(`ECR authorization token (us-east-1): ${aws.url} refused the exchange with status 403 (InvalidSignatureException)`);
    expect(err.message).not.toContain('a-wrong-secret');
  });

  it('the ambient chain: the IRSA web identity token → STS AssumeRoleWithWebIdentity → temporary keys (with session token) sign GetAuthorizationToken', async () => {
    const aws = await started(new AwsServer());
    const dir = await tempDir(disposer, 'shunt-irsa-');
    const tokenFile = path.join(dir, 'token');
    await fs.promises.writeFile(tokenFile, 'eyJ.projected.sa-token\n');
    aws.webIdentity = { token: 'eyJ.projected.sa-token', roleArn: 'arn:aws:iam::123456789012:role/shunt-worker' };
    const env = { AWS_ROLE_ARN: aws.webIdentity.roleArn, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile };
    const creds = await store({ ecrEndpoint: aws.url, stsEndpoint: aws.url, ambient: true, env }, []);
    expect(await creds.image(ECR)).toEqual({ username: 'AWS', password: aws.registryPassword });
    expect(aws.requests.map((r) => (r.headers['x-amz-target'] ? 'ecr' : new URLSearchParams(r.body).get('Action')))).toEqual(['AssumeRoleWithWebIdentity', 'ecr']);
    // Off unless the operator turns it on: then no login at all.
    const off = await store({ ecrEndpoint: aws.url, stsEndpoint: aws.url, env }, []);
    expect(await off.image(ECR)).toBeUndefined();
    expect(aws.requests).toHaveLength(2);
  });
});

describe('GAR / GCR', () => {
  it('a service-account key: JWT-bearer exchange at the operator’s token endpoint (never the key file’s token_uri) → oauth2accesstoken login', async () => {
    const google = await started(new GoogleServer());
    const key = serviceAccountKey();
    google.accounts.set('puller@proj.iam.gserviceaccount.com', key.publicKey);
    const creds = await store({ gcpTokenURL: google.tokenURL }, [
      { data: { repoURL: GAR, gcpServiceAccountKey: Buffer.from(key.json).toString('base64') } },
      { data: { repoURL: 'gcr.io/proj/app', gcpServiceAccountKey: key.json } },
    ]);
    expect(await creds.image(GAR)).toEqual({ username: 'oauth2accesstoken', password: google.issued[0] });
    expect(await creds.image(GAR)).toEqual({ username: 'oauth2accesstoken', password: google.issued[0] });
    expect(await creds.image('gcr.io/proj/app')).toEqual({ username: 'oauth2accesstoken', password: google.issued[1] });
    expect(google.requests.map((r) => r.path)).toEqual(['/token', '/token']);
  });

  it('a key Google does not know: invalid_grant, named', async () => {
    const google = await started(new GoogleServer());
    const creds = await store({ gcpTokenURL: google.tokenURL }, [{ data: { repoURL: GAR, gcpServiceAccountKey: serviceAccountKey().json } }]);
    await expect(creds.image(GAR)).rejects.toThrow(`refused the exchange with status 400 (invalid_grant)`);
  });

  it('the metadata server identity for a registry no Secret matches (Metadata-Flavor: Google both ways)', async () => {
    const google = await started(new GoogleServer());
    const creds = await store({ ambient: true, gcpMetadataURL: google.url }, []);
    expect(await creds.image(GAR)).toEqual({ username: 'oauth2accesstoken', password: google.metadataToken });
    expect(google.requests[0]?.headers['metadata-flavor']).toBe('Google');
  });
});

describe('ACR', () => {
  it('a service principal: Entra client-credentials token → /oauth2/exchange → refresh token as the password of the null-GUID user', async () => {
    const azure = await started(new AzureServer());
    azure.secrets.set('c0ffee00-0000-0000-0000-000000000001', 'sp-secret');
    const creds = await store({ azureAuthorityURL: azure.url, acrEndpoint: azure.url }, [
      { data: { repoURL: ACR, azureTenantID: azure.tenant, azureClientID: 'c0ffee00-0000-0000-0000-000000000001', azureClientSecret: 'sp-secret' } },
    ]);
    expect(await creds.image(ACR)).toEqual({ username: '00000000-0000-0000-0000-000000000000', password: azure.refreshTokens[0] });
    await creds.image(ACR);
    expect(azure.requests.map((r) => r.path)).toEqual([`/${azure.tenant}/oauth2/v2.0/token`, '/oauth2/exchange']);
    expect(new URLSearchParams(azure.requests[1]!.body).get('service')).toBe('myreg.azurecr.io');
  });

  it('a wrong client secret: invalid_client, never the secret', async () => {
    const azure = await started(new AzureServer());
    azure.secrets.set('c1', 'right');
    const creds = await store({ azureAuthorityURL: azure.url, acrEndpoint: azure.url }, [{ data: { repoURL: ACR, azureTenantID: azure.tenant, azureClientID: 'c1', azureClientSecret: 'wrong-secret' } }]);
    const err = (await creds.image(ACR).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('refused the exchange with status 401 (invalid_client)');
    expect(err.message).not.toContain('wrong-secret');
  });

  it('workload identity: the federated token file as client assertion', async () => {
    const azure = await started(new AzureServer());
    const dir = await tempDir(disposer, 'shunt-azwi-');
    await fs.promises.writeFile(path.join(dir, 'token'), 'eyJ.federated');
    azure.federated.set('wi-client', 'eyJ.federated');
    const env = { AZURE_TENANT_ID: azure.tenant, AZURE_CLIENT_ID: 'wi-client', AZURE_FEDERATED_TOKEN_FILE: path.join(dir, 'token') };
    const creds = await store({ azureAuthorityURL: azure.url, acrEndpoint: azure.url, ambient: true, env }, []);
    expect(await creds.image(ACR)).toEqual({ username: '00000000-0000-0000-0000-000000000000', password: azure.refreshTokens[0] });
  });
});

describe('a tenant cannot choose where an exchange goes (SSRF)', () => {
  it('a key file’s token_uri is ignored: the exchange goes to the operator’s endpoint', async () => {
    const google = await started(new GoogleServer());
    const key = serviceAccountKey(); // token_uri: http://169.254.169.254/evil
    google.accounts.set('puller@proj.iam.gserviceaccount.com', key.publicKey);
    const creds = await store({ gcpTokenURL: google.tokenURL }, [{ data: { repoURL: GAR, gcpServiceAccountKey: key.json } }]);
    await creds.image(GAR);
    expect(google.requests).toHaveLength(1);
  });

  it.each([
    ['an awsRegion that is a host', { repoURL: ECR, awsRegion: '127.0.0.1:9/x#', awsAccessKeyID: 'AKIAIOSFODNN7EXAMPLE', awsSecretAccessKey: 's' }, ECR, /awsRegion .* is not an AWS region/],
    ['an azureTenantID that is a path', { repoURL: ACR, azureTenantID: '../../internal', azureClientID: 'c', azureClientSecret: 's' }, ACR, /azureTenantID is not an Azure tenant/],
  ])('%s is refused before any request', async (_, data, url, message) => {
    const aws = await started(new AwsServer());
    const creds = await store({ ecrEndpoint: 'http://{region}.invalid', azureAuthorityURL: aws.url, acrEndpoint: aws.url }, [{ data }]);
    await expect(creds.image(url)).rejects.toThrow(message);
    expect(aws.requests).toHaveLength(0);
  });

  it('a Secret has no field that moves an endpoint; only the worker environment does', () => {
    expect(credentialProviderSettingsFromEnv({ SHUNT_ECR_ENDPOINT: 'http://127.0.0.1:1', SHUNT_GCP_TOKEN_URL: 'http://127.0.0.1:2/token' })).toMatchObject({ ecrEndpoint: 'http://127.0.0.1:1', gcpTokenURL: 'http://127.0.0.1:2/token', ambient: false });
    expect(() => credentialProviderSettingsFromEnv({ SHUNT_ACR_ENDPOINT: 'file:///etc' })).toThrow('SHUNT_ACR_ENDPOINT must be an http(s) URL');
    expect(() => credentialProviderSettingsFromEnv({ SHUNT_AMBIENT_REGISTRY_CREDENTIALS: 'yes' })).toThrow('SHUNT_AMBIENT_REGISTRY_CREDENTIALS must be true or false');
  });
});
