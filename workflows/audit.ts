/**
 * auditWorkflow: the durable audit trail of one project (or of cluster-wide requests). The api
 * signals an entry per audited request; the log keeps the newest entries up to a bound and
 * continues as new before its history grows large, carrying the entries with it.
 */
import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { boundedAppend, type AuditEvent } from '../core/audit/event.js';
import { filterAuditEvents } from '../core/audit/filter.js';
import { auditEventsQuery, recordAuditSignal, type AuditWorkflowInput } from './definitions.js';

const DEFAULT_MAX_EVENTS = 1000;
const DEFAULT_CONTINUE_AFTER = 2000;

export async function auditWorkflow(input: AuditWorkflowInput = {}): Promise<void> {
  const max = input.maxEvents ?? DEFAULT_MAX_EVENTS;
  const continueAfter = input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AFTER;
  const events: AuditEvent[] = [...(input.events ?? [])];
  let pending = false;

  setHandler(recordAuditSignal, (event) => {
    boundedAppend(events, event, max);
    pending = true;
  });
  setHandler(auditEventsQuery, (filter) => filterAuditEvents([...events].reverse(), { ...filter, limit: filter?.limit ?? events.length }));

  for (;;) {
    await condition(() => pending);
    pending = false;
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > continueAfter) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof auditWorkflow>({ ...input, events });
    }
  }
}
