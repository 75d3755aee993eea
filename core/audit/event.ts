/**
 * One entry of the audit trail: who did what, when, and how it ended. Written by the api for
 * every mutating request (and every refused one), kept by a per-project audit workflow.
 */
export interface AuditEvent {
  /** Unique per entry: the request id, suffixed when one request touches several projects. */
  id: string;
  /** When the request arrived (ISO). */
  time: string;
  actor: string;
  /** How the actor proved who it is. */
  via: 'token' | 'oidc' | 'open';
  /** apply, delete, promote, refresh, approve, retry, abort, verify, abort-verification, update (a freight's alias), change. */
  action: string;
  method: string;
  path: string;
  /** The project the entry belongs to; absent for cluster-wide entries. */
  project?: string;
  /** What the request acted on, as far as the request names it. */
  target: { stage?: string; freight?: string; promotion?: string; warehouse?: string; dryRun?: boolean };
  /** succeeded (2xx), denied (403), refused (other 4xx), failed (5xx). */
  outcome: 'succeeded' | 'denied' | 'refused' | 'failed';
  status: number;
  /** What happened: the error message, or a summary of the result. */
  message?: string;
}

export function outcomeOf(status: number): AuditEvent['outcome'] {
  if (status < 400) return 'succeeded';
  if (status === 403) return 'denied';
  if (status < 500) return 'refused';
  return 'failed';
}

/** Keeps the newest `max` entries (the log is append-only, oldest first). */
export function boundedAppend(events: AuditEvent[], event: AuditEvent, max: number): void {
  if (events.some((e) => e.id === event.id)) return; // a redelivered signal adds nothing
  events.push(event);
  if (events.length > max) events.splice(0, events.length - max);
}
