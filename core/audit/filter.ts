/**
 * Filters of the audit trail (`GET /api/v1/projects/:project/audit`, `shunt get audit`): by
 * stage, actor, action and outcome, newest first, at most `limit`. Pure.
 */
import type { AuditEvent } from './event.js';

/** The actions the api records (api/auth/permissions.ts AuditAction). */
export const AUDIT_ACTIONS = [
  'apply',
  'delete',
  'promote',
  'refresh',
  'approve',
  'retry',
  'abort',
  'verify',
  'abort-verification',
  'update',
  'change',
] as const;

export const AUDIT_OUTCOMES = ['succeeded', 'denied', 'refused', 'failed'] as const satisfies readonly AuditEvent['outcome'][];

/** Largest answer (the trail keeps 1000 entries per project). */
export const MAX_AUDIT_LIMIT = 1000;
export const DEFAULT_AUDIT_LIMIT = 100;

export interface AuditFilter {
  stage?: string;
  actor?: string;
  action?: (typeof AUDIT_ACTIONS)[number];
  outcome?: AuditEvent['outcome'];
  /** At most this many entries; default {@link DEFAULT_AUDIT_LIMIT}. */
  limit?: number;
}

/** Whether one entry passes every filter that is set (exact matches; a filter not set passes all). */
export function auditEventMatches(event: AuditEvent, filter: AuditFilter): boolean {
  if (filter.stage !== undefined && event.target.stage !== filter.stage) return false;
  if (filter.actor !== undefined && event.actor !== filter.actor) return false;
  if (filter.action !== undefined && event.action !== filter.action) return false;
  if (filter.outcome !== undefined && event.outcome !== filter.outcome) return false;
  return true;
}

/** The entries (newest first) that pass the filter, at most its limit. */
export function filterAuditEvents(newestFirst: readonly AuditEvent[], filter: AuditFilter): AuditEvent[] {
  const limit = filter.limit ?? DEFAULT_AUDIT_LIMIT;
  const out: AuditEvent[] = [];
  for (const event of newestFirst) {
    if (out.length >= limit) break;
    if (auditEventMatches(event, filter)) out.push(event);
  }
  return out;
}
