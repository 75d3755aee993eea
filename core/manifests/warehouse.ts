/**
 * `kind: Warehouse`: where freight comes from. Each subscription watches one image
 * repository, git repository or chart.
 *
 * Kargo's older spellings are accepted and rewritten (each produces a hint, see
 * {@link warehouseHints}): image `tagSelectionStrategy` → `imageSelectionStrategy`, image
 * `semverConstraint` → `constraint`, the single-regex `allowTags` → `allowTagsRegexes`, and
 * the list of exact tags `ignoreTags` → `ignoreTagsRegexes` (each tag as `^QuoteMeta(tag)$`, as
 * Kargo read it until v1.11).
 */
import { z } from 'zod';
import { prefixedRegex, regexProblem } from '../regex.js';
import {
  addIssues,
  ApiVersion,
  asRecord,
  describeType,
  Duration,
  IgnoredStatus,
  LabelName,
  NamespacedMeta,
  omitKeys,
  plainErrors,
  RepoURL,
  valueAt,
} from './common.js';
import { SemverError, subscriptionConstraint } from '../semver/index.js';
import { warehouseSpecIssues } from './warehouse-rules.js';

/** A regular expression RE2 (Go's syntax, as Kargo) accepts. */
const Regex = z.string().superRefine((src, ctx) => {
  const problem = regexProblem(src);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${problem} (Go RE2 syntax)` });
});

/** An includePaths / excludePaths entry: its `regex:` / `regexp:` form must be RE2. */
const PathFilterEntry = z.string().superRefine((entry, ctx) => {
  const rx = prefixedRegex(entry);
  const problem = rx === undefined ? undefined : regexProblem(rx);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${problem} (Go RE2 syntax)` });
});

const DiscoveryLimit = z.number().int().min(1).max(100);

/** Why Kargo (Masterminds' NewConstraint) refuses a constraint, or undefined; "" means none. */
function constraintProblem(source: string | undefined): string | undefined {
  try {
    subscriptionConstraint(source);
    return undefined;
  } catch (e) {
    if (e instanceof SemverError) return e.message;
    throw e;
  }
}

/** A semver constraint Kargo accepts (git and chart `semverConstraint`). */
const SemverConstraint = z.string().superRefine((src, ctx) => {
  const problem = constraintProblem(src);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

interface Rename {
  from: string;
  to: string;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);

/** Go's regexp.QuoteMeta: the text as a regular expression matching exactly it. */
export function quoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * Kargo's old `ignoreTags`: a list of exact tags, which Kargo (until v1.11) added to the
 * ignore regexes as `^QuoteMeta(tag)$`. The regexes it stands for, or undefined.
 */
export function ignoreTagsRegexes(old: unknown): string[] | undefined {
  if (!Array.isArray(old) || !old.every((t) => typeof t === 'string')) return undefined;
  return old.map((t: string) => `^${quoteMeta(t)}$`);
}

/** Kargo's old `allowTags`: one regular expression. */
function legacyAllowTags(obj: Record<string, unknown>, ctx: z.core.$RefinementCtx): string | undefined {
  if (!('allowTags' in obj)) return undefined;
  const old = obj['allowTags'];
  if (typeof old === 'string') return old;
  ctx.addIssue({ code: 'custom', path: ['allowTags'], message: `expected string (one regular expression), got ${describeType(old)}` });
  return undefined;
}

function legacyIgnoreTags(obj: Record<string, unknown>, ctx: z.core.$RefinementCtx): string[] | undefined {
  if (!('ignoreTags' in obj)) return undefined;
  const old = obj['ignoreTags'];
  const regexes = ignoreTagsRegexes(old);
  if (regexes !== undefined) return regexes;
  if (Array.isArray(old)) {
    const i = old.findIndex((t) => typeof t !== 'string');
    ctx.addIssue({ code: 'custom', path: ['ignoreTags', i], message: `expected string (an exact tag), got ${describeType(old[i])}` });
  } else {
    ctx.addIssue({
      code: 'custom',
      path: ['ignoreTags'],
      message: `expected a list of exact tags, got ${describeType(old)}; for regular expressions use ignoreTagsRegexes`,
    });
  }
  return undefined;
}

/** Moves legacy keys to their current names, reporting conflicts. */
function upgradeLegacy(renames: readonly Rename[], regexLists: boolean) {
  return (raw: unknown, ctx: z.core.$RefinementCtx): unknown => {
    const obj = asRecord(raw);
    if (obj === undefined) return raw;
    const out: Record<string, unknown> = { ...obj };
    for (const { from, to } of renames) {
      if (!(from in out)) continue;
      const old = out[from];
      delete out[from];
      if (out[to] === undefined) out[to] = old;
      else if (out[to] !== old) {
        ctx.addIssue({ code: 'custom', path: [from], message: `conflicts with ${to}; keep only ${to}` });
      }
    }
    if (regexLists) {
      const allow = legacyAllowTags(out, ctx);
      if (allow !== undefined) out['allowTagsRegexes'] = [...asList(out['allowTagsRegexes']), allow];
      const ignore = legacyIgnoreTags(out, ctx);
      if (ignore !== undefined) out['ignoreTagsRegexes'] = [...asList(out['ignoreTagsRegexes']), ...ignore];
      delete out['allowTags'];
      delete out['ignoreTags'];
    }
    return out;
  };
}

export const ImageSubscription = z.preprocess(
  upgradeLegacy(
    [
      { from: 'tagSelectionStrategy', to: 'imageSelectionStrategy' },
      { from: 'semverConstraint', to: 'constraint' },
    ],
    true,
  ),
  z
    .strictObject({
      repoURL: RepoURL,
      imageSelectionStrategy: z.enum(['SemVer', 'Lexical', 'NewestBuild', 'Digest']).optional(),
      constraint: z.string().optional(),
      strictSemvers: z.boolean().optional(),
      allowTagsRegexes: z.array(Regex).optional(),
      ignoreTagsRegexes: z.array(Regex).optional(),
      platform: z.string().optional(),
      discoveryLimit: DiscoveryLimit.optional(),
      cacheByTag: z.boolean().optional(),
      insecureSkipTLSVerify: z.boolean().optional(),
    })
    .superRefine((img, ctx) => {
      const lastSlash = img.repoURL.lastIndexOf('/');
      if (img.repoURL.includes('@') || img.repoURL.slice(lastSlash + 1).includes(':')) {
        ctx.addIssue({ code: 'custom', path: ['repoURL'], message: 'must name a repository without a tag or digest' });
      }
      if (img.imageSelectionStrategy === 'Digest' && (img.constraint ?? '') === '') {
        ctx.addIssue({ code: 'custom', path: ['constraint'], message: 'required with imageSelectionStrategy Digest (the tag to track)' });
      }
      // As Kargo's webhook: the constraint is a semver range only for the SemVer strategy.
      const problem = (img.imageSelectionStrategy ?? 'SemVer') === 'SemVer' ? constraintProblem(img.constraint) : undefined;
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['constraint'], message: problem });
    }),
);

export const GitSubscription = z.preprocess(
  upgradeLegacy([], true),
  z.strictObject({
    repoURL: RepoURL,
    commitSelectionStrategy: z.enum(['NewestFromBranch', 'SemVer', 'Lexical', 'NewestTag']).optional(),
    branch: z.string().optional(),
    semverConstraint: SemverConstraint.optional(),
    strictSemvers: z.boolean().optional(),
    allowTagsRegexes: z.array(Regex).optional(),
    ignoreTagsRegexes: z.array(Regex).optional(),
    expressionFilter: z.string().optional(),
    includePaths: z.array(PathFilterEntry).optional(),
    excludePaths: z.array(PathFilterEntry).optional(),
    since: z.string().optional(),
    discoveryLimit: DiscoveryLimit.optional(),
    blobless: z.boolean().optional(),
    insecureSkipTLSVerify: z.boolean().optional(),
  }),
);

export const ChartSubscription = z
  .strictObject({
    repoURL: RepoURL,
    name: z.string().optional(),
    semverConstraint: SemverConstraint.optional(),
    discoveryLimit: DiscoveryLimit.optional(),
    insecureSkipTLSVerify: z.boolean().optional(),
  })
  .superRefine((c, ctx) => {
    const oci = c.repoURL.startsWith('oci://');
    const named = (c.name ?? '') !== '';
    if (oci && named) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'must be empty for an oci:// repoURL (the URL names the chart)' });
    }
    if (!oci && !named) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'required for an http(s) chart repository' });
    }
  });

/** The keys of a subscription that are not a generic subscription's type. */
const KNOWN_SUBSCRIPTION_KEYS: readonly string[] = ['name', 'image', 'git', 'chart'];

/** What every generic subscription (`<type>: {config, discoveryLimit}`) carries, as Kargo checks it. */
const GenericSubscription = z.looseObject({
  config: z.record(z.string(), z.unknown()).optional(),
  discoveryLimit: DiscoveryLimit.optional(),
});

/**
 * Any key other than name, image, git and chart is a generic subscription of that type (Kargo's
 * WarehouseSpec.UnmarshalJSON). Its common fields are checked, a name is required (validateSubs),
 * and it is refused, as by Kargo's open-source build: no subscriber is registered for any generic
 * type there (its admission webhook answers "no matching registration found"), nor in Shunt.
 */
function genericSubscriptionIssues(sub: Record<string, unknown>, ctx: z.core.$RefinementCtx): void {
  const generic = Object.keys(sub).filter((k) => !KNOWN_SUBSCRIPTION_KEYS.includes(k));
  if (generic.length === 0) return;
  if (sub['name'] === undefined) ctx.addIssue({ code: 'custom', path: ['name'], message: 'required for subscriptions of this type' });
  for (const type of generic) {
    const parsed = GenericSubscription.safeParse(sub[type], { error: plainErrors });
    if (!parsed.success) {
      for (const i of parsed.error.issues) ctx.addIssue({ code: 'custom', path: [type, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message });
    }
    ctx.addIssue({
      code: 'custom',
      path: [type],
      message:
        `no subscriber for subscription type ${JSON.stringify(type)}: Kargo's open-source build discovers only git, image and chart ` +
        'subscriptions and refuses other types at apply (a generic subscription needs a subscriber Kargo registers), and so does Shunt',
    });
  }
}

export const RepoSubscription = z
  .looseObject({
    name: LabelName.optional(),
    image: ImageSubscription.optional(),
    git: GitSubscription.optional(),
    chart: ChartSubscription.optional(),
  })
  .superRefine((sub, ctx) => genericSubscriptionIssues(sub, ctx));
export type ImageSubscription = z.output<typeof ImageSubscription>;
export type GitSubscription = z.output<typeof GitSubscription>;
export type ChartSubscription = z.output<typeof ChartSubscription>;
/** One subscription; a key other than name/image/git/chart (a generic subscription) is refused by the refinement. */
export type RepoSubscription = z.output<typeof RepoSubscription>;

export const WarehouseSpec = z
  .strictObject({
    shard: z.string().optional(),
    interval: Duration.optional(),
    freightCreationPolicy: z.enum(['Automatic', 'Manual']).optional(),
    freightCreationCriteria: z.strictObject({ expression: z.string().optional() }).optional(),
    subscriptions: z.array(RepoSubscription).min(1),
  })
  .superRefine((spec, ctx) => addIssues(ctx, warehouseSpecIssues(spec)));
export type WarehouseSpec = z.output<typeof WarehouseSpec>;

export const Warehouse = z
  .strictObject({
    apiVersion: ApiVersion,
    kind: z.literal('Warehouse'),
    metadata: NamespacedMeta,
    spec: WarehouseSpec,
    status: IgnoredStatus,
  })
  .transform((w) => omitKeys(w, 'status'));
export type Warehouse = z.output<typeof Warehouse>;

/** One line per legacy spelling found (each reported once per document). */
export function warehouseHints(raw: unknown): string[] {
  const hints = new Set<string>();
  const subs = valueAt(raw, ['spec', 'subscriptions']);
  if (!Array.isArray(subs)) return [];
  for (const sub of subs) {
    const image = asRecord(valueAt(sub, ['image']));
    const git = asRecord(valueAt(sub, ['git']));
    if (image?.['tagSelectionStrategy'] !== undefined) {
      hints.add("tagSelectionStrategy is Kargo's old spelling; use imageSelectionStrategy");
    }
    if (image?.['semverConstraint'] !== undefined) {
      hints.add("semverConstraint is Kargo's old spelling for image subscriptions; use constraint");
    }
    for (const sel of [image, git]) {
      if (sel?.['allowTags'] !== undefined) hints.add('allowTags is deprecated in Kargo (discovery fails since v1.11); use allowTagsRegexes');
      const ignore = ignoreTagsRegexes(sel?.['ignoreTags']);
      // An empty list is nothing, in Kargo's discovery too.
      if (ignore !== undefined && ignore.length > 0) {
        hints.add(
          `ignoreTags is Kargo's old spelling (a list of exact tags; Kargo's discovery refuses it since v1.11): Shunt ignores exactly those tags; use ignoreTagsRegexes: ${JSON.stringify(ignore)}`,
        );
      }
    }
  }
  return [...hints];
}
