/**
 * Building blocks shared by the per-kind schemas: object metadata, names, Go durations,
 * expression variables, and the plain-words error map used when parsing user YAML.
 *
 * Every object schema is strict (an unknown field is an error, so a typo never silently
 * disables a setting). Messages written here are final: the error map in {@link plainErrors}
 * only rewrites zod's generic messages, never a message set on a schema.
 */
import { z } from 'zod';
import { formatPath } from './issues.js';
import { KARGO_API_VERSION } from '../api-versions.js';
import { URL_PASSWORD_MESSAGE, urlHasPassword } from '../freight/url-userinfo.js';
import { durationHint, type DurationRules, KARGO_DURATION_PATTERN, readDuration, SHUNT_DURATION_PATTERN } from '../duration.js';

// ---- names ---------------------------------------------------------------------------------

/** Kubernetes' DNS-1123 subdomain: what `metadata.name` must be. */
export const RFC1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Kubernetes' DNS-1123 label: namespaces and subscription names. */
export const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A resource name: DNS-1123 subdomain, at most 253 characters. */
export const ResourceName = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(253, { error: 'must be at most 253 characters' })
  .regex(RFC1123_SUBDOMAIN, {
    error: (iss) =>
      `${JSON.stringify(iss.input)} is not a valid name: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`,
  });

/** A DNS-1123 label, at most 63 characters (namespaces, subscription names). */
export const LabelName = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(63, { error: 'must be at most 63 characters' })
  .regex(RFC1123_LABEL, {
    error: (iss) =>
      `${JSON.stringify(iss.input)} is not a valid name: use lowercase letters, digits and '-', starting and ending with a letter or digit`,
  });

// ---- durations -----------------------------------------------------------------------------

/**
 * A duration field: Kargo's CRD pattern (core/duration.ts), and within Go's range, so that what
 * passes here parses wherever the value is used.
 */
function durationField(pattern: RegExp, rules: DurationRules): z.ZodString {
  return z
    .string()
    .regex(pattern, { error: (iss) => `${JSON.stringify(iss.input)} is not a duration; ${durationHint(rules)}`, abort: true })
    .refine((text) => readDuration(text, rules).ok, {
      error: (iss) => {
        const read = readDuration(String(iss.input), rules);
        return `${JSON.stringify(iss.input)} is not a duration: ${read.ok ? 'unreadable' : read.reason}`;
      },
    });
}

/** A Go duration string such as `30s`, `5m` or `1h30m`, in one of Kargo's fields. */
export const Duration = durationField(KARGO_DURATION_PATTERN, {});

/** A duration in one of Shunt's own fields: Go syntax plus `d` for days. */
export const ShuntDuration = durationField(SHUNT_DURATION_PATTERN, { days: true });

// ---- common fields -------------------------------------------------------------------------

export const ApiVersion = z.literal(KARGO_API_VERSION, {
  error: (iss) =>
    iss.input === undefined
      ? 'required'
      : `expected "${KARGO_API_VERSION}", got ${JSON.stringify(iss.input)}`,
});

export const StringMap = z.record(z.string(), z.string());

/** Variable names as Kargo's CRDs allow them. */
export const VARIABLE_NAME = /^[a-zA-Z_]\w*$/;

/** `{name, value}`; a task var without `value` is required, with one it is a default. */
export const ExpressionVariable = z.strictObject({
  name: z.string().regex(VARIABLE_NAME, {
    error: (iss) =>
      `${JSON.stringify(iss.input)} is not a valid variable name: use letters, digits and '_', not starting with a digit`,
  }),
  value: z.string().refine((v) => !urlHasPassword(v), { error: URL_PASSWORD_MESSAGE }).optional(),
});
export type ExpressionVariable = z.output<typeof ExpressionVariable>;

/** A repository URL: without a password or token in its userinfo (see core/freight/url-userinfo.ts). */
export const RepoURL = z
  .string()
  .min(1)
  .refine((v) => !urlHasPassword(v), { error: URL_PASSWORD_MESSAGE });

/**
 * Fields the Kubernetes API server adds to `metadata`. A manifest exported with
 * `kubectl get -o yaml` carries them; they are accepted and dropped.
 */
const SERVER_METADATA_FIELDS = {
  uid: z.unknown().optional(),
  resourceVersion: z.unknown().optional(),
  generation: z.unknown().optional(),
  creationTimestamp: z.unknown().optional(),
  deletionTimestamp: z.unknown().optional(),
  deletionGracePeriodSeconds: z.unknown().optional(),
  managedFields: z.unknown().optional(),
  finalizers: z.unknown().optional(),
  ownerReferences: z.unknown().optional(),
  generateName: z.unknown().optional(),
  selfLink: z.unknown().optional(),
};

/**
 * `metadata` as Shunt keeps it. Written by hand: it is what {@link keepMeta} builds from the
 * parsed fields (server-set fields dropped, `namespace` only for namespaced kinds), a shape the
 * schemas' transforms produce rather than one zod can infer.
 */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface RawMeta {
  name?: string | undefined;
  namespace?: unknown;
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
}

function keepMeta(m: RawMeta, withNamespace: boolean): ObjectMeta {
  const out: ObjectMeta = { name: m.name ?? '' };
  if (withNamespace && typeof m.namespace === 'string') out.namespace = m.namespace;
  if (m.labels !== undefined) out.labels = m.labels;
  if (m.annotations !== undefined) out.annotations = m.annotations;
  return out;
}

/** `metadata` of a kind that lives in a project's namespace. */
export const NamespacedMeta: z.ZodType<ObjectMeta> = z
  .strictObject({
    name: ResourceName,
    namespace: LabelName,
    labels: StringMap.optional(),
    annotations: StringMap.optional(),
    ...SERVER_METADATA_FIELDS,
  })
  .transform((m) => keepMeta(m, true));

/** `metadata` of a cluster-scoped kind (Project, ClusterPromotionTask): no namespace. */
export const ClusterMeta: z.ZodType<ObjectMeta> = z
  .strictObject({
    name: ResourceName,
    namespace: z.unknown().optional(),
    labels: StringMap.optional(),
    annotations: StringMap.optional(),
    ...SERVER_METADATA_FIELDS,
  })
  .superRefine((m, ctx) => {
    if (m.namespace !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['namespace'],
        message: 'not allowed: this kind is cluster-scoped',
      });
    }
  })
  .transform((m) => keepMeta(m, false));

/** `metadata` of a Freight: the name is optional and replaced by the content-derived id. */
export const FreightMeta = z
  .strictObject({
    name: z.string().optional(),
    namespace: LabelName,
    labels: StringMap.optional(),
    annotations: StringMap.optional(),
    ...SERVER_METADATA_FIELDS,
  })
  .transform((m) => keepMeta(m, true));

/** Top-level `status` is accepted on every kind and dropped: Shunt keeps status itself. */
export const IgnoredStatus = z.unknown().optional();

/** Drops `status` (and any other listed key) from a parsed object. */
export function omitKeys<T extends object, K extends string>(value: T, ...keys: K[]): Omit<T, K> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!(keys as string[]).includes(k) && v !== undefined) out[k] = v;
  }
  return out as Omit<T, K>;
}

// ---- paths and messages ----------------------------------------------------------------------

/** A value's type in the words used by error messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const EXPECTED_NAMES: Record<string, string> = { int: 'integer', record: 'object', map: 'object', tuple: 'array' };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * A per-parse zod error map that says what went wrong in plain words: `required`,
 * `expected string, got number`, `expected one of A, B, got "C"`, `unknown field "foo"`.
 * Schema-level messages take precedence over it (zod's precedence rules).
 */
export function plainErrors(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type': {
      if (iss.input === undefined) return 'required';
      const expected = EXPECTED_NAMES[iss.expected] ?? iss.expected;
      return `expected ${expected}, got ${describeType(iss.input)}`;
    }
    case 'invalid_value': {
      const shown = iss.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      if (iss.input === undefined) return 'required';
      if (iss.values.length === 1) return `expected ${JSON.stringify(iss.values[0])}, got ${JSON.stringify(iss.input)}`;
      return `expected one of ${shown.join(', ')}, got ${JSON.stringify(iss.input)}`;
    }
    case 'unrecognized_keys':
      return iss.keys.length === 1
        ? `unknown field ${JSON.stringify(iss.keys[0])}`
        : `unknown fields ${iss.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'too_small': {
      const min = Number(iss.minimum);
      if (iss.origin === 'array' || iss.origin === 'set') return `must have at least ${plural(min, 'item')}`;
      if (iss.origin === 'string') return min === 1 ? 'must not be empty' : `must be at least ${plural(min, 'character')}`;
      return `must be at least ${min}`;
    }
    case 'too_big': {
      const max = Number(iss.maximum);
      if (iss.origin === 'array' || iss.origin === 'set') return `must have at most ${plural(max, 'item')}`;
      if (iss.origin === 'string') return `must be at most ${plural(max, 'character')}`;
      return `must be at most ${max}`;
    }
    case 'invalid_format':
      return `invalid ${iss.format}`;
    case 'invalid_union':
      return 'does not match any allowed form';
    case 'invalid_key':
      return 'invalid key';
    case 'invalid_element':
      return 'invalid element';
    case 'not_multiple_of':
      return `must be a multiple of ${String(iss.divisor)}`;
    default:
      return undefined;
  }
}

/** A problem found inside one resource: where (dotted path) and what. */
export interface PathIssue {
  path: string;
  message: string;
}

/**
 * Converts zod issues into path + message pairs, one per unknown key, using
 * {@link plainErrors} (pass it to `safeParse` as `{ error: plainErrors }`).
 */
export function toPathIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): PathIssue[] {
  const out: PathIssue[] = [];
  for (const iss of issues) {
    const path = [...prefix, ...iss.path];
    if (iss.code === 'unrecognized_keys' && iss.keys.length > 1) {
      for (const key of iss.keys) out.push({ path: formatPath(path), message: `unknown field ${JSON.stringify(key)}` });
    } else {
      out.push({ path: formatPath(path), message: iss.message });
    }
  }
  return out;
}

/** Reports each `PathIssue` on a zod refinement context, with paths relative to it. */
export function addIssues(ctx: z.core.$RefinementCtx, issues: readonly { path: (string | number)[]; message: string }[]): void {
  for (const i of issues) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
}

/** The value at `path` inside raw (unvalidated) data, or undefined. */
export function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = value;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

/** Raw data as a plain object (a YAML mapping), or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
