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

export interface RepoCredentials {
  username?: string;
  password?: string;
}

export type CredentialType = 'git' | 'helm' | 'image' | 'generic';

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

// ---- file-backed store --------------------------------------------------------------------

interface SecretRecord {
  kind: 'Secret';
  name: string;
  type: CredentialType | undefined;
  data: Record<string, string>;
  source: string;
}

export interface FileCredentialStoreOptions {
  /** Called once per unreadable document (file name and reason; never values). */
  onWarning?: (message: string) => void;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads Kubernetes `Secret` manifests (YAML, several documents per file allowed) from one file
 * or a folder of `*.yaml|*.yml|*.json` files. `data` is base64, `stringData` plain (and wins,
 * as in Kubernetes). `ConfigMap` manifests there answer `configMap()` (their `data`). The files
 * are the worker's own, so they serve both the project (`secret`, `configMap`) and the shared
 * (`sharedSecret`, `sharedConfigMap`) lookups. They are re-read whenever their list, size or
 * mtime changes.
 *
 * Lookup follows Kargo: secrets of the type sorted by name; every exact (normalized) URL match
 * is tried before any `repoURLIsRegex: "true"` match; a regex is tested against both the raw
 * and the normalized URL.
 */
export class FileCredentialStore implements CredentialStore {
  private readonly location: string;
  private readonly onWarning: (message: string) => void;
  private fingerprint = '';
  private secrets: SecretRecord[] = [];
  private configMaps = new Map<string, Record<string, string>>();
  private loading: Promise<void> | undefined;

  constructor(location: string, opts: FileCredentialStoreOptions = {}) {
    this.location = path.resolve(location);
    this.onWarning = opts.onWarning ?? (() => undefined);
  }

  async git(repoURL: string): Promise<RepoCredentials | undefined> {
    return this.lookup('git', repoURL);
  }
  async image(repoURL: string): Promise<RepoCredentials | undefined> {
    return this.lookup('image', repoURL);
  }
  async helm(repoURL: string): Promise<RepoCredentials | undefined> {
    return this.lookup('helm', repoURL);
  }

  async secret(name: string): Promise<Record<string, string>> {
    await this.refresh();
    const found = this.secrets.find(
      (s) => s.name === name && (s.type === undefined || s.type === 'generic'),
    );
    return found ? { ...found.data } : {};
  }

  sharedSecret(name: string): Promise<Record<string, string>> {
    return this.secret(name);
  }

  async configMap(name: string): Promise<Record<string, string>> {
    await this.refresh();
    return { ...(this.configMaps.get(name) ?? {}) };
  }

  sharedConfigMap(name: string): Promise<Record<string, string>> {
    return this.configMap(name);
  }

  private async lookup(
    type: Exclude<CredentialType, 'generic'>,
    repoURL: string,
  ): Promise<RepoCredentials | undefined> {
    await this.refresh();
    return matchCredential(this.secrets, type, repoURL, this.onWarning);
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
      const configMaps = new Map<string, Record<string, string>>();
      for (const file of files) {
        let text: string;
        try {
          text = await fs.promises.readFile(file, 'utf8');
        } catch {
          continue;
        }
        for (const rec of this.parseFile(file, text)) {
          if (rec.kind === 'Secret') records.push(rec);
          // The first ConfigMap of a name wins (files in name order), like the Secrets' order.
          else if (!configMaps.has(rec.name)) configMaps.set(rec.name, rec.data);
        }
      }
      records.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
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
      for (const item of items) {
        const where = `${rel} document ${index + 1}`;
        const rec = toSecretRecord(item, where, this.onWarning) ?? toConfigMapRecord(item, where, this.onWarning);
        if (rec) out.push(rec);
      }
    });
    return out;
  }
}

function toSecretRecord(
  value: unknown,
  where: string,
  warn: (m: string) => void,
): SecretRecord | undefined {
  if (!isRecord(value) || value['kind'] !== 'Secret') return undefined;
  const meta = isRecord(value['metadata']) ? value['metadata'] : {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : undefined;
  if (!name) {
    warn(`${where}: Secret without metadata.name ignored`);
    return undefined;
  }
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
  return { kind: 'Secret', name, type, data, source: where };
}

interface ConfigMapRecord {
  kind: 'ConfigMap';
  name: string;
  data: Record<string, string>;
}

/** A `kind: ConfigMap` manifest: its `data` (strings; other values as text). `binaryData` is not read (Kargo's configMap() neither). */
function toConfigMapRecord(value: unknown, where: string, warn: (m: string) => void): ConfigMapRecord | undefined {
  if (!isRecord(value) || value['kind'] !== 'ConfigMap') return undefined;
  const meta = isRecord(value['metadata']) ? value['metadata'] : {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : undefined;
  if (!name) {
    warn(`${where}: ConfigMap without metadata.name ignored`);
    return undefined;
  }
  const data: Record<string, string> = {};
  if (isRecord(value['data'])) {
    for (const [k, v] of Object.entries(value['data'])) {
      if (v === null || v === undefined) continue;
      data[k] = typeof v === 'string' ? v : String(v);
    }
  }
  return { kind: 'ConfigMap', name, data };
}

/** A store with nothing in it (tests, workers without credentials). */
export class EmptyCredentialStore implements CredentialStore {
  async git(): Promise<RepoCredentials | undefined> {
    return undefined;
  }
  async image(): Promise<RepoCredentials | undefined> {
    return undefined;
  }
  async helm(): Promise<RepoCredentials | undefined> {
    return undefined;
  }
  async secret(): Promise<Record<string, string>> {
    return {};
  }
  async configMap(): Promise<Record<string, string>> {
    return {};
  }
  async sharedConfigMap(): Promise<Record<string, string>> {
    return {};
  }
}
