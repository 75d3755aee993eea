/**
 * Credentials, resolved inside activities only (DESIGN.md: secrets never enter workflow history).
 *
 * Kargo keeps repository credentials in ordinary Kubernetes Secrets labelled
 * `kargo.akuity.io/cred-type: git | helm | image` and other secrets as `generic`; Shunt reads the
 * same manifests from files. Values are never logged: only secret names are.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { matchCredential } from './credential-match.js';
import type { CredentialType, RepoCredentials } from './credential-types.js';
import { isRecord } from '../../core/record.js';

export type { CredentialType, RepoCredentials } from './credential-types.js';

export const CRED_TYPE_LABEL = 'kargo.akuity.io/cred-type';

/** Where activities get credentials from. An absent credential is `undefined`, not an error. */
export interface CredentialStore {
  /** Credentials for a git repository URL (matched after git URL normalization). */
  git(repoURL: string): Promise<RepoCredentials | undefined>;
  /** Credentials for a container image repository. */
  image(repoURL: string): Promise<RepoCredentials | undefined>;
  /** Credentials for a Helm chart repository (HTTP or `oci://`). */
  helm(repoURL: string): Promise<RepoCredentials | undefined>;
  /** The data of a generic (or unlabelled) Secret by name; `{}` when there is none. */
  secret(name: string): Promise<Record<string, string>>;
  /**
   * `sharedSecret(name)`: a generic Secret of the shared location (the shared namespace, the
   * worker's files); `{}` when there is none. A store without it answers with `secret(name)`.
   */
  sharedSecret?(name: string): Promise<Record<string, string>>;
  /** `configMap(name)`: a ConfigMap's `data` from the project's location; `{}` when there is none. */
  configMap?(name: string): Promise<Record<string, string>>;
  /** `sharedConfigMap(name)`: a ConfigMap's `data` from the shared location; `{}` when there is none. */
  sharedConfigMap?(name: string): Promise<Record<string, string>>;
}

/** Credentials as a project sees them: its own namespace's, then the shared namespace's. */
export interface ProjectCredentials {
  forProject(project: string): CredentialStore;
}

/** Kargo's namespace for resources every project may use (`sharedSecret()`, shared credentials). */
export const DEFAULT_SHARED_NAMESPACE = 'kargo-shared-resources';

// ---- file-backed store --------------------------------------------------------------------

interface SecretRecord {
  kind: 'Secret';
  namespace: string;
  name: string;
  type: CredentialType | undefined;
  data: Record<string, string>;
  source: string;
}

export interface FileCredentialStoreOptions {
  /** Called once per unreadable or ignored document (file name and reason; never values). */
  onWarning?: (message: string) => void;
  /** The shared namespace (default `kargo-shared-resources`, as Kargo and SHUNT_SHARED_NAMESPACE). */
  sharedNamespace?: string;
}

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Reads Kubernetes `Secret` and `ConfigMap` manifests (YAML, several documents per file allowed)
 * from one file or a folder of `*.yaml|*.yml|*.json` files, and scopes them by
 * `metadata.namespace` exactly as a cluster would: a project sees the objects of its namespace
 * (named like the project) and, for `sharedSecret`, `sharedConfigMap` and repository
 * credentials, those of the shared namespace. An object without `metadata.namespace` is ignored
 * with a warning naming its file (Kubernetes would put it in `default`, which no project reads).
 * `data` is base64, `stringData` plain (and wins, as in Kubernetes). The files are re-read
 * whenever their list, size or mtime changes.
 *
 * Lookup follows Kargo: secrets of the type sorted by name; every exact (normalized) URL match
 * is tried before any `repoURLIsRegex: "true"` match; a regex is tested against both the raw
 * and the normalized URL; the project's namespace is searched before the shared one.
 */
export class FileCredentialStore implements ProjectCredentials {
  private readonly location: string;
  private readonly onWarning: (message: string) => void;
  readonly sharedNamespace: string;
  private fingerprint = '';
  private secrets: SecretRecord[] = [];
  private configMaps: ConfigMapRecord[] = [];
  private loading: Promise<void> | undefined;

  constructor(location: string, opts: FileCredentialStoreOptions = {}) {
    this.location = path.resolve(location);
    this.onWarning = opts.onWarning ?? (() => undefined);
    this.sharedNamespace = opts.sharedNamespace ?? DEFAULT_SHARED_NAMESPACE;
  }

  forProject(project: string): Required<CredentialStore> {
    return new FileNamespaceStore(this, project, this.sharedNamespace);
  }

  /** The Secrets of one namespace, by name. */
  async secretsIn(namespace: string): Promise<SecretRecord[]> {
    await this.refresh();
    return this.secrets.filter((s) => s.namespace === namespace);
  }

  /** A ConfigMap's data in one namespace; `{}` when there is none. */
  async configMapIn(namespace: string, name: string): Promise<Record<string, string>> {
    await this.refresh();
    const found = this.configMaps.find((c) => c.namespace === namespace && c.name === name);
    return { ...(found?.data ?? {}) };
  }

  /** Kargo's lookup in `namespaces` in order, the first namespace with a match winning. */
  async lookup(type: Exclude<CredentialType, 'generic'>, repoURL: string, namespaces: readonly string[]): Promise<RepoCredentials | undefined> {
    await this.refresh();
    for (const namespace of namespaces) {
      const found = matchCredential(
        this.secrets.filter((s) => s.namespace === namespace),
        type,
        repoURL,
        this.onWarning,
      );
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private async listFiles(): Promise<string[]> {
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(this.location);
    } catch {
      return [];
    }
    if (st.isFile()) return [this.location];
    const names = await fs.promises.readdir(this.location);
    return names
      .filter((n) => /\.(ya?ml|json)$/i.test(n) && !n.startsWith('.'))
      .sort()
      .map((n) => path.join(this.location, n));
  }

  private async refresh(): Promise<void> {
    while (this.loading) await this.loading;
    const files = await this.listFiles();
    const stats = await Promise.all(
      files.map(async (f) => {
        try {
          const s = await fs.promises.stat(f);
          return `${f}:${s.size}:${s.mtimeMs}`;
        } catch {
          return `${f}:gone`;
        }
      }),
    );
    const fingerprint = stats.join('|');
    if (fingerprint === this.fingerprint) return;
    this.loading = (async () => {
      const records: SecretRecord[] = [];
      const configMaps: ConfigMapRecord[] = [];
      for (const file of files) {
        let text: string;
        try {
          text = await fs.promises.readFile(file, 'utf8');
        } catch {
          continue;
        }
        for (const rec of this.parseFile(file, text)) {
          if (rec.kind === 'Secret') records.push(rec);
          // The first ConfigMap of a namespace and name wins (files in name order), like the Secrets' order.
          else if (!configMaps.some((c) => c.namespace === rec.namespace && c.name === rec.name)) configMaps.push(rec);
        }
      }
      records.sort(byName);
      this.secrets = records;
      this.configMaps = configMaps;
      this.fingerprint = fingerprint;
    })();
    try {
      await this.loading;
    } finally {
      this.loading = undefined;
    }
  }

  private parseFile(file: string, text: string): (SecretRecord | ConfigMapRecord)[] {
    const out: (SecretRecord | ConfigMapRecord)[] = [];
    const rel = path.basename(file);
    let docs;
    try {
      docs = parseAllDocuments(text);
    } catch {
      this.onWarning(`${rel}: not YAML`);
      return out;
    }
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((doc, index) => {
      if (doc.errors.length > 0) {
        this.onWarning(`${rel} document ${index + 1}: not valid YAML`);
        return;
      }
      const value: unknown = doc.toJS();
      const items = isRecord(value) && value['kind'] === 'List' && Array.isArray(value['items']) ? value['items'] : [value];
      const warn: Warn = Object.assign((m: string) => this.onWarning(m), { sharedNamespace: this.sharedNamespace });
      for (const item of items) {
        const where = `${rel} document ${index + 1}`;
        const rec = toSecretRecord(item, where, warn) ?? toConfigMapRecord(item, where, warn);
        if (rec) out.push(rec);
      }
    });
    return out;
  }
}

/**
 * The file store as one project sees it (like the Kubernetes stores of its namespace and the
 * shared namespace, chained): `secret` and `configMap` read the project's namespace (a Secret
 * labelled `generic` or not labelled), `sharedSecret` (only `cred-type: generic`) and
 * `sharedConfigMap` the shared namespace, repository credentials the project's then the shared.
 */
class FileNamespaceStore implements Required<CredentialStore> {
  constructor(
    private readonly files: FileCredentialStore,
    private readonly namespace: string,
    private readonly sharedNamespace: string,
  ) {}

  git(repoURL: string): Promise<RepoCredentials | undefined> {
    return this.files.lookup('git', repoURL, [this.namespace, this.sharedNamespace]);
  }
  image(repoURL: string): Promise<RepoCredentials | undefined> {
    return this.files.lookup('image', repoURL, [this.namespace, this.sharedNamespace]);
  }
  helm(repoURL: string): Promise<RepoCredentials | undefined> {
    return this.files.lookup('helm', repoURL, [this.namespace, this.sharedNamespace]);
  }
  async secret(name: string): Promise<Record<string, string>> {
    const found = (await this.files.secretsIn(this.namespace)).find((s) => s.name === name && (s.type === undefined || s.type === 'generic'));
    return found ? { ...found.data } : {};
  }
  async sharedSecret(name: string): Promise<Record<string, string>> {
    const found = (await this.files.secretsIn(this.sharedNamespace)).find((s) => s.name === name && s.type === 'generic');
    return found ? { ...found.data } : {};
  }
  configMap(name: string): Promise<Record<string, string>> {
    return this.files.configMapIn(this.namespace, name);
  }
  sharedConfigMap(name: string): Promise<Record<string, string>> {
    return this.files.configMapIn(this.sharedNamespace, name);
  }
}

/** Reports an ignored document; knows the shared namespace to suggest it. */
type Warn = ((message: string) => void) & { sharedNamespace: string };

/** metadata.name and metadata.namespace of a file object, or a warning naming the file. */
function objectKey(kind: string, meta: Record<string, unknown>, where: string, warn: Warn): { name: string; namespace: string } | undefined {
  const name = typeof meta['name'] === 'string' && meta['name'] !== '' ? meta['name'] : undefined;
  if (!name) {
    warn(`${where}: ${kind} without metadata.name ignored`);
    return undefined;
  }
  const namespace = typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : undefined;
  if (!namespace) {
    warn(
      `${where}: ${kind} ${JSON.stringify(name)} has no metadata.namespace and is ignored: set it to the project's name, ` +
        `or to ${JSON.stringify(warn.sharedNamespace)} to share it with every project`,
    );
    return undefined;
  }
  return { name, namespace };
}

function toSecretRecord(
  value: unknown,
  where: string,
  warn: Warn,
): SecretRecord | undefined {
  if (!isRecord(value) || value['kind'] !== 'Secret') return undefined;
  const meta = isRecord(value['metadata']) ? value['metadata'] : {};
  const key = objectKey('Secret', meta, where, warn);
  if (!key) return undefined;
  const labels = isRecord(meta['labels']) ? meta['labels'] : {};
  const rawType = labels[CRED_TYPE_LABEL];
  const type: CredentialType | undefined =
    rawType === 'git' || rawType === 'helm' || rawType === 'image' || rawType === 'generic' ? rawType : undefined;
  const data: Record<string, string> = {};
  if (isRecord(value['data'])) {
    for (const [k, v] of Object.entries(value['data'])) {
      if (typeof v !== 'string') continue;
      data[k] = Buffer.from(v.replace(/\s+/g, ''), 'base64').toString('utf8');
    }
  }
  if (isRecord(value['stringData'])) {
    for (const [k, v] of Object.entries(value['stringData'])) {
      if (v === null || v === undefined) continue;
      data[k] = typeof v === 'string' ? v : String(v);
    }
  }
  return { kind: 'Secret', ...key, type, data, source: where };
}

interface ConfigMapRecord {
  kind: 'ConfigMap';
  namespace: string;
  name: string;
  data: Record<string, string>;
}

/** A `kind: ConfigMap` manifest: its `data` (strings; other values as text). `binaryData` is not read (Kargo's configMap() neither). */
function toConfigMapRecord(value: unknown, where: string, warn: Warn): ConfigMapRecord | undefined {
  if (!isRecord(value) || value['kind'] !== 'ConfigMap') return undefined;
  const meta = isRecord(value['metadata']) ? value['metadata'] : {};
  const key = objectKey('ConfigMap', meta, where, warn);
  if (!key) return undefined;
  const data: Record<string, string> = {};
  if (isRecord(value['data'])) {
    for (const [k, v] of Object.entries(value['data'])) {
      if (v === null || v === undefined) continue;
      data[k] = typeof v === 'string' ? v : String(v);
    }
  }
  return { kind: 'ConfigMap', ...key, data };
}

/** A store with nothing in it (tests, workers without credentials), for any project. */
export class EmptyCredentialStore implements CredentialStore, ProjectCredentials {
  forProject(): CredentialStore {
    return this;
  }
  async git(): Promise<RepoCredentials | undefined> {
    return undefined;
  }
  async image(): Promise<RepoCredentials | undefined> {
    return undefined;
  }
  async helm(): Promise<RepoCredentials | undefined> {
    return undefined;
  }
  async secret(_name: string): Promise<Record<string, string>> {
    return {};
  }
  async configMap(): Promise<Record<string, string>> {
    return {};
  }
  async sharedConfigMap(): Promise<Record<string, string>> {
    return {};
  }
}
