/**
 * Apply-time check of a Kubernetes `Secret` (apiVersion v1) labelled
 * `kargo.akuity.io/cred-type`: its fields must fit its kind, so a Secret that a worker could not
 * use (a GitHub App without its key, a typo in a field name, an installation id that is not a
 * number, a key that is not PEM) is refused at apply, naming the field, and never fails a
 * promotion later. Values are read only to check their shape and are never quoted back.
 * `generic` (and unlabelled) Secrets hold anything.
 */
import {
  CREDENTIAL_PROVIDERS,
  declaredProviders,
  ECR_FIELDS,
  ECR_REPO,
  GAR_FIELDS,
  GAR_REPO,
  ACR_FIELDS,
  ACR_REPO,
  GITHUB_APP_FIELDS,
  MATCH_FIELDS,
  registryRepo,
  type CredentialProviderName,
  type RepoCredentialKind,
} from '../credentials/fields.js';
import { asRecord, describeType } from './common.js';

export interface SecretIssue {
  path: string[];
  message: string;
}

export const CRED_TYPE_LABEL = 'kargo.akuity.io/cred-type';
const CRED_TYPES = ['git', 'helm', 'image', 'generic'] as const;

const PEM_PRIVATE_KEY = /^-----BEGIN ((?:RSA |EC |OPENSSH |ENCRYPTED |DSA )?PRIVATE KEY)-----\r?\n(?:[A-Za-z0-9-]+: .*\r?\n)*\r?\n?[A-Za-z0-9+/=\r\n]+-----END \1-----\s*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DIGITS = /^[0-9]+$/;
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$/;
const AZURE_TENANT = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+)$/;

/** A PEM private key, also as Kargo takes a GitHub App key: base64 of the PEM text. */
export function isPemPrivateKey(value: string, allowBase64 = false): boolean {
  const text = value.trim();
  if (PEM_PRIVATE_KEY.test(text)) return true;
  if (!allowBase64 || !BASE64.test(text.replace(/\s+/g, ''))) return false;
  return PEM_PRIVATE_KEY.test(Buffer.from(text, 'base64').toString('utf8').trim());
}

/** A Google service-account key file (JSON, or base64 of it as Kargo's docs write it); undefined when it is one. */
export function serviceAccountKeyProblem(value: string): string | undefined {
  const text = value.trim();
  const json = text.startsWith('{') ? text : BASE64.test(text.replace(/\s+/g, '')) ? Buffer.from(text, 'base64').toString('utf8') : undefined;
  if (json === undefined) return 'must be a service-account key file (JSON, or base64 of it)';
  let key: unknown;
  try {
    key = JSON.parse(json);
  } catch {
    return 'must be a service-account key file (JSON, or base64 of it): it is not JSON';
  }
  const rec = asRecord(key);
  if (rec?.['type'] !== 'service_account') return 'must be a key file with "type": "service_account"';
  if (typeof rec['client_email'] !== 'string' || rec['client_email'] === '') return 'the key file has no client_email';
  if (typeof rec['private_key'] !== 'string' || !isPemPrivateKey(rec['private_key'])) return 'the key file has no PEM private_key';
  return undefined;
}

interface Field {
  value: string;
  /** `data.x` or `stringData.x`: where the issue points. */
  path: string[];
}

/** The Secret's fields: `data` decoded from base64, `stringData` over it (as Kubernetes). */
function secretFields(doc: Record<string, unknown>, issues: SecretIssue[]): Map<string, Field> {
  const fields = new Map<string, Field>();
  const data = doc['data'];
  if (data !== undefined) {
    const rec = asRecord(data);
    if (rec === undefined) issues.push({ path: ['data'], message: `expected a mapping, got ${describeType(data)}` });
    for (const [k, v] of Object.entries(rec ?? {})) {
      if (typeof v !== 'string' || !BASE64.test(v.replace(/\s+/g, '') || 'AA==')) {
        issues.push({ path: ['data', k], message: 'must be base64 (use stringData for plain text)' });
        continue;
      }
      fields.set(k, { value: Buffer.from(v.replace(/\s+/g, ''), 'base64').toString('utf8'), path: ['data', k] });
    }
  }
  const stringData = doc['stringData'];
  if (stringData !== undefined) {
    const rec = asRecord(stringData);
    if (rec === undefined) issues.push({ path: ['stringData'], message: `expected a mapping, got ${describeType(stringData)}` });
    for (const [k, v] of Object.entries(rec ?? {})) {
      if (typeof v !== 'string') {
        issues.push({ path: ['stringData', k], message: `expected string, got ${describeType(v)} (quote it)` });
        continue;
      }
      fields.set(k, { value: v, path: ['stringData', k] });
    }
  }
  return fields;
}

const at = (f: Field): string[] => f.path;

/** Every problem with a credential Secret, each naming its field; `[]` when it fits its kind. */
export function credentialSecretIssues(doc: Record<string, unknown>): SecretIssue[] {
  const issues: SecretIssue[] = [];
  if (doc['apiVersion'] !== 'v1') issues.push({ path: ['apiVersion'], message: 'a Secret is apiVersion v1' });
  const meta = asRecord(doc['metadata']);
  if (typeof meta?.['name'] !== 'string' || meta['name'] === '') issues.push({ path: ['metadata', 'name'], message: 'required' });
  const labels = asRecord(meta?.['labels']) ?? {};
  const rawType = labels[CRED_TYPE_LABEL];
  const fields = secretFields(doc, issues);
  if (rawType === undefined || rawType === 'generic') return issues;
  if (!(CRED_TYPES as readonly unknown[]).includes(rawType)) {
    issues.push({ path: ['metadata', 'labels', CRED_TYPE_LABEL], message: `must be one of ${CRED_TYPES.join(', ')}` });
    return issues;
  }
  const kind = rawType as RepoCredentialKind;
  const known = new Set<string>([...MATCH_FIELDS]);
  for (const p of Object.values(CREDENTIAL_PROVIDERS)) if (p.kinds.includes(kind)) for (const f of p.fields) known.add(f);
  for (const [name, f] of fields) {
    if (known.has(name)) continue;
    const elsewhere = (Object.keys(CREDENTIAL_PROVIDERS) as CredentialProviderName[]).find((p) => CREDENTIAL_PROVIDERS[p].fields.includes(name));
    issues.push({
      path: at(f),
      message: elsewhere
        ? `is not a field of a ${kind} credential (it belongs to ${CREDENTIAL_PROVIDERS[elsewhere].kinds.join('/')} credentials)`
        : `unknown field of a ${kind} credential; expected ${[...known].join(', ')}`,
    });
  }
  const repoURL = fields.get('repoURL');
  if (repoURL === undefined || repoURL.value.trim() === '') issues.push({ path: ['stringData', 'repoURL'], message: 'required: the repository this credential is for' });
  const isRegex = fields.get('repoURLIsRegex');
  if (isRegex !== undefined && !/^(true|false)$/i.test(isRegex.value)) issues.push({ path: at(isRegex), message: 'must be "true" or "false"' });

  const data: Record<string, string> = {};
  for (const [k, f] of fields) data[k] = f.value;
  const providers = declaredProviders(data).filter((p) => CREDENTIAL_PROVIDERS[p].kinds.includes(kind));
  if (providers.length > 1) {
    const second = CREDENTIAL_PROVIDERS[providers[1]!].fields.find((f) => (data[f] ?? '') !== '')!;
    issues.push({ path: at(fields.get(second)!), message: `mixes two ways of authenticating (${providers.join(' and ')}); keep the fields of one` });
  }
  for (const p of providers) {
    for (const need of CREDENTIAL_PROVIDERS[p].required) {
      const names = need.split('|');
      if (names.some((n) => (data[n] ?? '') !== '')) continue;
      issues.push({ path: ['stringData', names[0]!], message: `required with ${CREDENTIAL_PROVIDERS[p].fields.filter((f) => (data[f] ?? '') !== '').join(', ')}${names.length > 1 ? ` (or ${names.slice(1).join(', ')})` : ''}` });
    }
  }
  const literalRepo = repoURL !== undefined && !/^true$/i.test(isRegex?.value ?? '') ? registryRepo(repoURL.value) : undefined;
  const field = (name: string): Field | undefined => ((data[name] ?? '') !== '' ? fields.get(name) : undefined);
  const check = (name: string, ok: (v: string) => boolean, message: string): void => {
    const f = field(name);
    if (f && !ok(f.value.trim())) issues.push({ path: at(f), message });
  };
  const needsRepo = (name: string, re: RegExp, what: string): void => {
    const f = field(name);
    if (f && literalRepo !== undefined && !re.test(literalRepo)) issues.push({ path: at(f), message: `only works for ${what} repositories, and repoURL is not one` });
  };
  check('sshPrivateKey', (v) => isPemPrivateKey(v), 'must be a PEM (or OpenSSH) private key');
  check(GITHUB_APP_FIELDS.appID, (v) => DIGITS.test(v), 'must be the numeric App ID');
  check(GITHUB_APP_FIELDS.installationID, (v) => DIGITS.test(v), 'must be the numeric installation ID');
  check(GITHUB_APP_FIELDS.clientID, (v) => /^[A-Za-z0-9.]+$/.test(v), 'must be the App client ID (letters and digits, e.g. Iv1.0123456789abcdef)');
  check(GITHUB_APP_FIELDS.privateKey, (v) => isPemPrivateKey(v, true), "must be the App's PEM private key (or base64 of it)");
  if (field(GITHUB_APP_FIELDS.privateKey) && repoURL !== undefined && !/^https?:\/\//i.test(repoURL.value.trim())) {
    issues.push({ path: at(fields.get(GITHUB_APP_FIELDS.privateKey)!), message: 'a GitHub App authenticates git over http(s) only, and repoURL is not an http(s) URL' });
  }
  check(ECR_FIELDS.region, (v) => AWS_REGION.test(v), 'must be an AWS region such as us-east-1');
  check(ECR_FIELDS.accessKeyID, (v) => /^[A-Z0-9]{16,128}$/.test(v), 'must be an AWS access key ID (such as AKIA…)');
  needsRepo(ECR_FIELDS.accessKeyID, ECR_REPO, 'ECR (<account>.dkr.ecr.<region>.amazonaws.com/…)');
  const sa = field(GAR_FIELDS.serviceAccountKey);
  const saProblem = sa ? serviceAccountKeyProblem(sa.value) : undefined;
  if (sa && saProblem) issues.push({ path: at(sa), message: saProblem });
  needsRepo(GAR_FIELDS.serviceAccountKey, GAR_REPO, 'Artifact Registry or Container Registry (…-docker.pkg.dev/…, gcr.io/…)');
  check(ACR_FIELDS.tenantID, (v) => AZURE_TENANT.test(v), 'must be the Azure tenant ID (a GUID) or its domain');
  needsRepo(ACR_FIELDS.clientID, ACR_REPO, 'Azure Container Registry (<name>.azurecr.io/…)');
  return issues;
}
