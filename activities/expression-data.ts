/**
 * The data `${{ }}` expressions read through functions that need I/O: `secret()`,
 * `sharedSecret()`, `configMap()`, `sharedConfigMap()` (credential stores) and `freightStatus()`
 * (the project workflow, through a query). Expressions evaluate synchronously while these lookups
 * are async, so an evaluation round records the names it missed (seeing `{}` or nil for them);
 * they are loaded and the evaluation, which is pure, runs again. Lookups are cached for the step
 * (Kargo: "cached per step evaluation"). Only Secret values are ever scrubbed from outputs.
 */
import { makeStruct } from '../core/expressions/values.js';
import type { FreightStatusAnswer } from '../core/project/freight-status.js';
import { isRecord } from '../core/record.js';

export type LookupKind = 'secret' | 'sharedSecret' | 'configMap' | 'sharedConfigMap' | 'freightStatus';

export interface ExpressionDataLoaders {
  secret(name: string): Promise<Record<string, string>>;
  sharedSecret(name: string): Promise<Record<string, string>>;
  configMap(name: string): Promise<Record<string, string>>;
  sharedConfigMap(name: string): Promise<Record<string, string>>;
  /** undefined: no such freight (or no project workflow to ask). */
  freightStatus(name: string): Promise<FreightStatusAnswer | undefined>;
}

/** How many times evaluation is repeated to load data it asked for by computed names. */
const MAX_ROUNDS = 5;
/** Secret values shorter than this are not scrubbed from outputs (too many false hits). */
const MIN_SCRUB_LENGTH = 4;

const LOOKUP_FUNCTIONS: Record<string, LookupKind> = {
  secret: 'secret',
  sharedSecret: 'sharedSecret',
  configMap: 'configMap',
  sharedConfigMap: 'sharedConfigMap',
  freightStatus: 'freightStatus',
};

const key = (kind: LookupKind, name: string): string => `${kind}\u0000${name}`;

/**
 * Lookups an expression visibly asks for (`secret('x')`, `configMap("y")`, `secrets.z`,
 * `freightStatus('f')`...), to load them before the first evaluation.
 */
export function lookupsIn(value: unknown, out: [LookupKind, string][] = []): [LookupKind, string][] {
  if (typeof value === 'string') {
    if (!value.includes('${')) return out;
    for (const m of value.matchAll(/\b(secret|sharedSecret|configMap|sharedConfigMap|freightStatus)\(\s*(['"])([^'"]+)\2\s*\)/g)) {
      const kind = LOOKUP_FUNCTIONS[m[1]!];
      if (kind && m[3]) out.push([kind, m[3]]);
    }
    for (const m of value.matchAll(/\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g)) if (m[1]) out.push(['secret', m[1]]);
    for (const m of value.matchAll(/\bsecrets\[\s*(['"])([^'"]+)\1\s*\]/g)) if (m[2]) out.push(['secret', m[2]]);
  } else if (Array.isArray(value)) {
    for (const v of value) lookupsIn(v, out);
  } else if (isRecord(value)) {
    for (const v of Object.values(value)) lookupsIn(v, out);
  }
  return out;
}

/** Kargo's FreightStatus as an expression value: JSON names, Go field names readable too. */
function freightStatusValue(status: FreightStatusAnswer['status']): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(status)) as Record<string, unknown>;
  return makeStruct(copy, { CurrentlyIn: 'currentlyIn', VerifiedIn: 'verifiedIn', ApprovedFor: 'approvedFor', Metadata: 'metadata' });
}

export class ExpressionData {
  private readonly cache = new Map<string, unknown>();
  private misses = new Map<string, [LookupKind, string]>();

  constructor(private readonly loaders: ExpressionDataLoaders) {}

  async preload(wanted: Iterable<[LookupKind, string]>): Promise<void> {
    const todo = new Map<string, [LookupKind, string]>();
    for (const [kind, name] of wanted) if (!this.cache.has(key(kind, name))) todo.set(key(kind, name), [kind, name]);
    await Promise.all(
      [...todo.entries()].map(async ([k, [kind, name]]) => {
        this.cache.set(k, await this.loaders[kind](name));
      }),
    );
  }

  private get(kind: LookupKind, name: string): { hit: boolean; value: unknown } {
    const k = key(kind, name);
    if (this.cache.has(k)) return { hit: true, value: this.cache.get(k) };
    this.misses.set(k, [kind, name]);
    return { hit: false, value: undefined };
  }

  /** A data-map lookup for kargoFunctions (`secrets`, `configMaps`...): a copy, `{}` until loaded. */
  dataLookup(kind: Exclude<LookupKind, 'freightStatus'>): (name: string) => Record<string, string> {
    return (name) => {
      const { value } = this.get(kind, name);
      return { ...((value as Record<string, string> | undefined) ?? {}) };
    };
  }

  /**
   * The `freightStatus` lookup for kargoFunctions. `metadataFor` gives the promotion's own view of
   * a freight's metadata (its snapshot, with earlier set-metadata steps applied), which wins over
   * the project's, not yet updated, state.
   */
  freightStatusLookup(metadataFor?: (freightName: string) => Record<string, unknown> | undefined | null): (name: string) => Record<string, unknown> | undefined {
    return (name) => {
      const answer = this.get('freightStatus', name).value as FreightStatusAnswer | undefined;
      if (!answer) return undefined;
      const status = { ...answer.status };
      if (metadataFor) {
        const md = metadataFor(answer.name);
        if (md === null) delete status.metadata;
        else if (md !== undefined) status.metadata = md;
      }
      return freightStatusValue(status);
    };
  }

  /** The legacy `secrets` variable: `secrets.<name>.<key>`, loaded on first use. */
  secretsVariable(): Record<string, unknown> {
    const lookup = this.dataLookup('secret');
    const target: Record<string, unknown> = {};
    const ensure = (k: string | symbol): void => {
      if (typeof k !== 'string' || Object.prototype.hasOwnProperty.call(target, k)) return;
      Object.defineProperty(target, k, { value: lookup(k), enumerable: true, writable: false, configurable: true });
    };
    return new Proxy(target, {
      get: (t, k) => {
        ensure(k);
        return Reflect.get(t, k);
      },
      has: (t, k) => {
        ensure(k);
        return Reflect.has(t, k);
      },
      getOwnPropertyDescriptor: (t, k) => {
        ensure(k);
        return Reflect.getOwnPropertyDescriptor(t, k);
      },
    });
  }

  /** Runs `fn` until it asked for nothing it did not have. */
  async evaluate<T>(fn: () => T): Promise<T> {
    for (let round = 1; ; round++) {
      this.misses = new Map();
      let result: T | undefined;
      let error: unknown;
      let failed = false;
      try {
        result = fn();
      } catch (err) {
        error = err;
        failed = true;
      }
      const missed = [...this.misses.entries()].filter(([k]) => !this.cache.has(k)).map(([, v]) => v);
      if (missed.length === 0 || round >= MAX_ROUNDS) {
        if (failed) throw error;
        return result as T;
      }
      await this.preload(missed);
    }
  }

  /** Every loaded Secret value long enough to recognise, longest first (for scrubbing). */
  secretValues(): string[] {
    const out = new Set<string>();
    for (const [k, data] of this.cache) {
      if (!k.startsWith('secret\u0000') && !k.startsWith('sharedSecret\u0000')) continue;
      for (const v of Object.values((data as Record<string, string> | undefined) ?? {})) if (v.length >= MIN_SCRUB_LENGTH) out.add(v);
    }
    return [...out].sort((a, b) => b.length - a.length);
  }
}
