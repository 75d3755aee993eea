/**
 * Issue 18: `shunt apply` (and the api's apply, which parses the same way) refuses a credential
 * Secret whose fields do not fit its kind, naming the field; a Secret that fits is checked and
 * not applied (workers read Secrets from SHUNT_CREDENTIALS or the cluster).
 */
import { generateKeyPairSync } from 'node:crypto';
import { stringify } from 'yaml';
import { formatIssue, parseManifests } from '../../../core/manifests/index.js';

type Raw = Record<string, any>;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const PKCS8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const SA_KEY = JSON.stringify({ type: 'service_account', client_email: 'puller@proj.iam.gserviceaccount.com', private_key: PKCS8, token_uri: 'https://oauth2.googleapis.com/token' });

const secret = (type: string | undefined, stringData: Raw, extra: Raw = {}): Raw => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'creds', namespace: 'demo', ...(type ? { labels: { 'kargo.akuity.io/cred-type': type } } : {}) },
  stringData,
  ...extra,
});

function check(doc: Raw): { issues: string[]; hints: string[] } {
  const out = parseManifests(stringify(doc), 'creds.yaml');
  return { issues: out.issues.map(formatIssue), hints: out.hints };
}

const GH = 'https://github.com/org/repo';

describe('credential Secrets that fit their kind are checked, not applied', () => {
  it.each([
    ['basic git', secret('git', { repoURL: GH, username: 'u', password: 'p' })],
    ['ssh git', secret('git', { repoURL: 'git@github.com:org/repo.git', sshPrivateKey: PEM })],
    ['GitHub App (app id)', secret('git', { repoURL: GH, githubAppID: '12345', githubAppInstallationID: '678', githubAppPrivateKey: PEM })],
    ['GitHub App (client id, base64 key)', secret('git', { repoURL: GH, githubAppClientID: 'Iv1.abc123', githubAppInstallationID: '678', githubAppPrivateKey: Buffer.from(PEM).toString('base64') })],
    ['ECR static keys', secret('image', { repoURL: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app', awsRegion: 'us-east-1', awsAccessKeyID: 'AKIAIOSFODNN7EXAMPLE', awsSecretAccessKey: 'wJalrXUtnFEMI/K7MDENG' })],
    ['ECR helm oci', secret('helm', { repoURL: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts/app', awsRegion: 'eu-west-1', awsAccessKeyID: 'AKIAIOSFODNN7EXAMPLE', awsSecretAccessKey: 'x' })],
    ['GAR key JSON', secret('image', { repoURL: 'us-docker.pkg.dev/proj/repo/app', gcpServiceAccountKey: SA_KEY })],
    ['GAR key base64 (Kargo docs)', secret('image', { repoURL: 'gcr.io/proj/app', gcpServiceAccountKey: Buffer.from(SA_KEY).toString('base64') })],
    ['ACR service principal', secret('image', { repoURL: 'myreg.azurecr.io/app', azureTenantID: '72f988bf-86f1-41af-91ab-2d7cd011db47', azureClientID: 'c0ffee00-0000-0000-0000-000000000001', azureClientSecret: 's' })],
    ['regex repoURL', secret('image', { repoURL: '^ghcr\\.io/org/.*$', repoURLIsRegex: 'true', username: 'u', password: 'p' })],
    ['generic: anything', secret('generic', { anything: 'x', other: 'y' })],
    ['unlabelled: anything', secret(undefined, { token: 'x' })],
    ['data in base64', { ...secret('git', {}), stringData: undefined, data: { repoURL: Buffer.from(GH).toString('base64'), username: 'dQ==', password: 'cA==' } }],
  ])('%s', (_, doc) => {
    const { issues, hints } = check(doc);
    expect(issues).toEqual([]);
    expect(hints).toEqual(['creds.yaml: document 1 (Secret creds): checked, not applied: workers read Secrets from SHUNT_CREDENTIALS or the cluster']);
  });
});

describe('a credential Secret whose fields do not fit is refused, naming the field', () => {
  const app = { repoURL: GH, githubAppID: '12345', githubAppInstallationID: '678', githubAppPrivateKey: PEM };
  it.each([
    ['githubAppID without githubAppPrivateKey', secret('git', { repoURL: GH, githubAppID: '1', githubAppInstallationID: '2' }), 'stringData.githubAppPrivateKey: required with githubAppID, githubAppInstallationID'],
    ['no app id nor client id', secret('git', { repoURL: GH, githubAppInstallationID: '2', githubAppPrivateKey: PEM }), 'stringData.githubAppID: required with githubAppInstallationID, githubAppPrivateKey (or githubAppClientID)'],
    ['non-numeric installation id', secret('git', { ...app, githubAppInstallationID: 'abc' }), 'stringData.githubAppInstallationID: must be the numeric installation ID'],
    ['non-numeric app id', secret('git', { ...app, githubAppID: 'my-app' }), 'stringData.githubAppID: must be the numeric App ID'],
    ['a key that is not PEM', secret('git', { ...app, githubAppPrivateKey: 'not a key' }), "stringData.githubAppPrivateKey: must be the App's PEM private key (or base64 of it)"],
    ['a public key as private key', secret('git', { ...app, githubAppPrivateKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' }), "stringData.githubAppPrivateKey: must be the App's PEM private key (or base64 of it)"],
    ['App over ssh', secret('git', { ...app, repoURL: 'git@github.com:org/repo.git' }), 'stringData.githubAppPrivateKey: a GitHub App authenticates git over http(s) only, and repoURL is not an http(s) URL'],
    ['an unknown field', secret('git', { repoURL: GH, username: 'u', password: 'p', passwd: 'x' }), 'stringData.passwd: unknown field of a git credential; expected repoURL, repoURLIsRegex, username, password, sshPrivateKey, githubAppID, githubAppClientID, githubAppInstallationID, githubAppPrivateKey'],
    ['a field of another kind', secret('git', { repoURL: GH, awsRegion: 'us-east-1' }), 'stringData.awsRegion: is not a field of a git credential (it belongs to image/helm credentials)'],
    ['ssh key on an image', secret('image', { repoURL: 'ghcr.io/o/a', sshPrivateKey: PEM }), 'stringData.sshPrivateKey: is not a field of a image credential (it belongs to git credentials)'],
    ['ssh key not PEM', secret('git', { repoURL: 'ssh://git@h/r.git', sshPrivateKey: 'ssh-ed25519 AAAA me' }), 'stringData.sshPrivateKey: must be a PEM (or OpenSSH) private key'],
    ['password without username', secret('git', { repoURL: GH, password: 'p' }), 'stringData.username: required with password'],
    ['two ways at once', secret('git', { ...app, username: 'u', password: 'p' }), 'stringData.githubAppID: mixes two ways of authenticating (basic and githubApp); keep the fields of one'],
    ['no repoURL', secret('git', { username: 'u', password: 'p' }), 'stringData.repoURL: required: the repository this credential is for'],
    ['repoURLIsRegex not a boolean', secret('git', { repoURL: GH, repoURLIsRegex: 'yes', username: 'u', password: 'p' }), 'stringData.repoURLIsRegex: must be "true" or "false"'],
    ['unknown cred-type', secret('docker', { repoURL: GH }), 'metadata.labels["kargo.akuity.io/cred-type"]: must be one of git, helm, image, generic'],
    ['ECR without region', secret('image', { repoURL: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app', awsAccessKeyID: 'AKIAIOSFODNN7EXAMPLE', awsSecretAccessKey: 'x' }), 'stringData.awsRegion: required with awsAccessKeyID, awsSecretAccessKey'],
    ['ECR bad region', secret('image', { repoURL: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app', awsRegion: 'Virginia', awsAccessKeyID: 'AKIAIOSFODNN7EXAMPLE', awsSecretAccessKey: 'x' }), 'stringData.awsRegion: must be an AWS region such as us-east-1'],
    ['ECR keys for a non-ECR repo', secret('image', { repoURL: 'ghcr.io/org/app', awsRegion: 'us-east-1', awsAccessKeyID: 'AKIAIOSFODNN7EXAMPLE', awsSecretAccessKey: 'x' }), 'stringData.awsAccessKeyID: only works for ECR'],
    ['GAR key not JSON', secret('image', { repoURL: 'gcr.io/p/a', gcpServiceAccountKey: '{nope' }), 'stringData.gcpServiceAccountKey: must be a service-account key file (JSON, or base64 of it): it is not JSON'],
    ['GAR key of another type', secret('image', { repoURL: 'gcr.io/p/a', gcpServiceAccountKey: JSON.stringify({ type: 'authorized_user' }) }), 'stringData.gcpServiceAccountKey: must be a key file with "type": "service_account"'],
    ['ACR without secret', secret('image', { repoURL: 'r.azurecr.io/a', azureTenantID: 'contoso.onmicrosoft.com', azureClientID: 'c' }), 'stringData.azureClientSecret: required with azureTenantID, azureClientID'],
    ['data not base64', { ...secret('git', { repoURL: GH }), data: { username: 'not base64!' } }, 'data.username: must be base64 (use stringData for plain text)'],
    ['stringData not a string', secret('git', { repoURL: GH, githubAppInstallationID: 5 }), 'stringData.githubAppInstallationID: expected string, got number (quote it)'],
  ])('%s', (_, doc, expected) => {
    const { issues, hints } = check(doc);
    expect(issues.some((i) => i.startsWith('creds.yaml: document 1 (Secret creds): ') && i.includes(expected))).toBe(true);
    expect(hints).toEqual([]);
  });

  it('never quotes a value back', () => {
    const { issues } = check(secret('git', { ...app, githubAppInstallationID: 'SECRET-VALUE', githubAppPrivateKey: 'ALSO-SECRET' }));
    expect(issues).toHaveLength(2);
    expect(issues.join('\n')).not.toMatch(/SECRET-VALUE|ALSO-SECRET/);
  });
});

describe('the api apply parses the same way', () => {
  it('refuses the body, naming the Secret and the field', async () => {
    const { invalidManifests, parseManifestFiles } = await import('../../../core/manifests/files.js');
    const parsed = parseManifestFiles([{ name: 'creds.yaml', content: stringify(secret('git', { repoURL: GH, githubAppID: '1', githubAppInstallationID: 'x', githubAppPrivateKey: PEM })) }]);
    expect(parsed.manifests).toEqual([]);
    expect(invalidManifests(parsed.problems).message).toBe('creds.yaml: document 1 (Secret creds): stringData.githubAppInstallationID: must be the numeric installation ID');
  });
});
