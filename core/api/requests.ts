/**
 * The REST API's request bodies and query parameters, as zod schemas: the routes validate with
 * them, /openapi.json is generated from them, and the CLI's client is typed by them.
 */
import { z } from 'zod';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT } from '../audit/filter.js';
import { MAX_RETAINED_FREIGHT_LIMIT } from '../project/retention.js';
import { durationHint, readDuration } from '../duration.js';

const requiredString = (what: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? 'required' : `${what} must be a string`) });

const name = (what: string) => requiredString(what).trim().min(1, 'must not be empty');

/** POST /api/v1/apply */
export const ApplyBody = z.object({
  files: z
    .array(
      z.object({
        name: requiredString('name').min(1, 'must not be empty'),
        content: requiredString('content'),
      }),
      { error: (issue) => (issue.input === undefined ? 'required' : 'must be an array of {name, content}') },
    )
    .min(1, 'at least one file is required'),
  dryRun: z.boolean({ error: 'must be true or false' }).optional(),
});
export type ApplyBody = z.input<typeof ApplyBody>;

/** POST /api/v1/projects/:project/promotions */
export const PromoteBody = z.object({
  stage: name('stage'),
  /** Freight id or alias. */
  freight: name('freight'),
});
export type PromoteBody = z.input<typeof PromoteBody>;

/** POST /api/v1/projects/:project/freight/:freight/approve */
export const ApproveFreightBody = z.object({ stage: name('stage') });
export type ApproveFreightBody = z.input<typeof ApproveFreightBody>;

/** GET /api/v1/projects/:project/events: the newest `limit`, after event id `since` or at or after time `since`. */
export const EventsQuery = z.object({
  limit: z.coerce.number({ error: 'limit: must be a whole number from 1 to 1000' }).int({ error: 'limit: must be a whole number from 1 to 1000' }).min(1, { error: 'limit: must be a whole number from 1 to 1000' }).max(1000, { error: 'limit: must be a whole number from 1 to 1000' }).default(100),
  since: z
    .string()
    .refine((s) => /^\d{1,15}$/.test(s) || (/^\d{4}-\d\d-\d\dT/.test(s) && !Number.isNaN(Date.parse(s))), {
      error: 'since: must be an event id (a whole number) or an RFC 3339 time such as 2026-01-02T15:04:05Z',
    })
    .optional(),
});

/** GET /api/v1/projects/:project/notifications/dead-letters */
export const DeadLettersQuery = z.object({
  limit: z.coerce.number({ error: 'limit: must be a whole number from 1 to 50' }).int({ error: 'limit: must be a whole number from 1 to 50' }).min(1, { error: 'limit: must be a whole number from 1 to 50' }).max(50, { error: 'limit: must be a whole number from 1 to 50' }).optional(),
});

const filterValue = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'required' : `${what} must be given once, as text`) })
    .trim()
    .min(1, 'must not be empty')
    .max(253, 'at most 253 characters');

/** GET /api/v1/projects/:project/audit: the audit trail, newest first, filtered (each filter an exact match). */
export const AuditQuery = z.strictObject(
  {
    stage: filterValue('stage').optional(),
    actor: filterValue('actor').optional(),
    action: z.enum(AUDIT_ACTIONS, { error: `must be one of ${AUDIT_ACTIONS.join(', ')}` }).optional(),
    outcome: z.enum(AUDIT_OUTCOMES, { error: `must be one of ${AUDIT_OUTCOMES.join(', ')}` }).optional(),
    limit: z.coerce
      .number({ error: `must be a whole number from 1 to ${MAX_AUDIT_LIMIT}` })
      .int(`must be a whole number from 1 to ${MAX_AUDIT_LIMIT}`)
      .min(1, `must be a whole number from 1 to ${MAX_AUDIT_LIMIT}`)
      .max(MAX_AUDIT_LIMIT, `must be a whole number from 1 to ${MAX_AUDIT_LIMIT}`)
      .default(DEFAULT_AUDIT_LIMIT),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown filter ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (filters: stage, actor, action, outcome, limit)` : undefined) },
);
export type AuditQuery = z.input<typeof AuditQuery>;

/** GET /api/v1/projects/:project/approvals?for=me: promotions waiting for an approval the caller may give. */
export const ApprovalsQuery = z.strictObject(
  { for: z.literal('me', { error: 'only "me" is supported: the approvals the caller may give' }) },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown parameter ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (only for=me)` : undefined) },
);

/** GET /api/v1/projects/:project/stages/:stage/compare?with=<other stage> */
export const CompareQuery = z.strictObject(
  { with: filterValue('with') },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown parameter ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (only with)` : undefined) },
);

/** GET /api/v1/projects/:project/freight: all of it, or a page (`limit`, then the `continue` token the last page gave). */
export const FreightListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  continue: z.string().regex(/^\d{1,9}$/, 'the continue token of a previous page').optional(),
});

/** The longest a read of a promotion may wait for its end (`?wait=`). */
export const MAX_PROMOTION_WAIT_MS = 60_000;

/** GET /api/v1/projects/:project/promotions/:name */
export const PromotionGetQuery = z.object({
  /** Answer once the promotion has ended, or after this long (a Go duration, at most 60s). */
  wait: z
    .string()
    .transform((text, ctx) => {
      const read = readDuration(text);
      if (!read.ok) ctx.addIssue({ code: 'custom', message: `not a duration (${read.reason}); ${durationHint()}` });
      else if (read.ms > MAX_PROMOTION_WAIT_MS) ctx.addIssue({ code: 'custom', message: 'must be at most 60s' });
      return read.ok ? read.ms : 0;
    })
    .optional(),
});

/** POST /api/v1/projects/:project/stages/:stage/promotions/downstream */
export const PromoteDownstreamBody = z.object({
  /** Freight id or alias. */
  freight: name('freight'),
});
export type PromoteDownstreamBody = z.input<typeof PromoteDownstreamBody>;

/** POST /api/v1/projects/:project/prune */
export const PruneProjectBody = z.object({
  /** Freight kept per warehouse beyond the oldest a stage uses (Kargo's MAX_RETAINED_FREIGHT); absent keeps the project's. */
  maxRetainedFreight: z.number({ error: 'maxRetainedFreight must be a number' }).int('must be a whole number').min(0).max(MAX_RETAINED_FREIGHT_LIMIT).optional(),
  /** Freight younger than this (ms) is kept (Kargo's MIN_FREIGHT_DELETION_AGE); absent keeps the project's. */
  minFreightDeletionAgeMs: z.number({ error: 'minFreightDeletionAgeMs must be a number' }).min(0).optional(),
});
export type PruneProjectBody = z.input<typeof PruneProjectBody>;

/** PATCH /api/v1/projects/:project/freight/:freight/alias */
export const FreightAliasBody = z.object({
  /** The new alias: a label value, unique in the project. */
  alias: requiredString('alias'),
});
export type FreightAliasBody = z.input<typeof FreightAliasBody>;
