/**
 * `kind: Warehouse`: where freight comes from. Each subscription watches one image
 * repository, git repository or chart.
 *
 * Kargo's older spellings are accepted and rewritten (each produces a hint, see
 * {@link warehouseHints}): image `tagSelectionStrategy` → `imageSelectionStrategy`, image
 * `semverConstraint` → `constraint`, and a single-regex `allowTags` / `ignoreTags` →
 * `allowTagsRegexes` / `ignoreTagsRegexes`.
 */
import { z } from 'zod';
import type * as model from '../model.js';
import {
  addIssues,
  ApiVersion,
  asRecord,
  Duration,
  IgnoredStatus,
  LabelName,
  NamespacedMeta,
  omitKeys,
  RepoURL,
  valueAt,
} from './common.js';
import type { LocalIssue } from './steps.js';

/** A regular expression that must compile (Go's RE2 and JS agree on the common subset). */
const Regex = z.string().superRefine((src, ctx) => {
  try {
    new RegExp(src);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(e as Error).message}` });
  }
});

const DiscoveryLimit = z.number().int().min(1).max(100);

interface Rename {
  from: string;
  to: string;
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
      for (const [from, to] of [
        ['allowTags', 'allowTagsRegexes'],
        ['ignoreTags', 'ignoreTagsRegexes'],
      ] as const) {
        if (!(from in out)) continue;
        const old = out[from];
        delete out[from];
        if (typeof old !== 'string') {
          ctx.addIssue({ code: 'custom', path: [from], message: `expected string (one regular expression), got ${Array.isArray(old) ? 'array' : typeof old}` });
          continue;
        }
        const list = out[to];
        out[to] = Array.isArray(list) ? [...(list as unknown[]), old] : [old];
      }
    }
    return out;
  };
}

export const ImageSubscription: z.ZodType<model.ImageSubscription> = z.preprocess(
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
    }),
);

export const GitSubscription: z.ZodType<model.GitSubscription> = z.preprocess(
  upgradeLegacy([], true),
  z.strictObject({
    repoURL: RepoURL,
    commitSelectionStrategy: z.enum(['NewestFromBranch', 'SemVer', 'Lexical', 'NewestTag']).optional(),
    branch: z.string().optional(),
    semverConstraint: z.string().optional(),
    strictSemvers: z.boolean().optional(),
    allowTagsRegexes: z.array(Regex).optional(),
    ignoreTagsRegexes: z.array(Regex).optional(),
    expressionFilter: z.string().optional(),
    includePaths: z.array(z.string()).optional(),
    excludePaths: z.array(z.string()).optional(),
    since: z.string().optional(),
    discoveryLimit: DiscoveryLimit.optional(),
    blobless: z.boolean().optional(),
    insecureSkipTLSVerify: z.boolean().optional(),
  }),
);

export const ChartSubscription: z.ZodType<model.ChartSubscription> = z
  .strictObject({
    repoURL: RepoURL,
    name: z.string().optional(),
    semverConstraint: z.string().optional(),
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

export const RepoSubscription: z.ZodType<model.RepoSubscription> = z.strictObject({
  name: LabelName.optional(),
  image: ImageSubscription.optional(),
  git: GitSubscription.optional(),
  chart: ChartSubscription.optional(),
});

/** Rules across a Warehouse spec's subscriptions; paths relative to `spec`. */
export function warehouseSpecIssues(spec: model.WarehouseSpec): LocalIssue[] {
  const issues: LocalIssue[] = [];
  const names = new Map<string, number>();
  spec.subscriptions.forEach((sub, i) => {
    const kinds = (['image', 'git', 'chart'] as const).filter((k) => sub[k] !== undefined);
    if (kinds.length !== 1) {
      issues.push({
        path: ['subscriptions', i],
        message: `expected exactly one of image, git or chart${kinds.length > 1 ? `, got ${kinds.join(' and ')}` : ''}`,
      });
    }
    if (sub.name !== undefined) {
      const first = names.get(sub.name);
      if (first !== undefined) {
        issues.push({
          path: ['subscriptions', i, 'name'],
          message: `subscription name ${JSON.stringify(sub.name)} is already used by subscriptions[${first}]`,
        });
      } else names.set(sub.name, i);
    }
  });
  return issues;
}

export const WarehouseSpec: z.ZodType<model.WarehouseSpec> = z
  .strictObject({
    shard: z.string().optional(),
    interval: Duration.optional(),
    freightCreationPolicy: z.enum(['Automatic', 'Manual']).optional(),
    freightCreationCriteria: z.strictObject({ expression: z.string().optional() }).optional(),
    subscriptions: z.array(RepoSubscription).min(1),
  })
  .superRefine((spec, ctx) => addIssues(ctx, warehouseSpecIssues(spec)));

export const Warehouse: z.ZodType<model.Warehouse> = z
  .strictObject({
    apiVersion: ApiVersion,
    kind: z.literal('Warehouse'),
    metadata: NamespacedMeta,
    spec: WarehouseSpec,
    status: IgnoredStatus,
  })
  .transform((w) => omitKeys(w, 'status'));
export type Warehouse = model.Warehouse;

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
      for (const [from, to] of [
        ['allowTags', 'allowTagsRegexes'],
        ['ignoreTags', 'ignoreTagsRegexes'],
      ] as const) {
        if (sel?.[from] !== undefined) hints.add(`${from} is deprecated in Kargo (discovery fails since v1.11); use ${to}`);
      }
    }
  }
  return [...hints];
}
