/**
 * Where a promotion's time goes, read from its Temporal history: when it started and closed, and
 * for each activity (a step, or the workspace's preparation and release) when it was scheduled,
 * picked up by a worker and completed. Times are epoch milliseconds of the server's clock.
 */
import type { Client } from '@temporalio/client';
import { median } from '../stats.js';

export interface ActivitySpan {
  /** The activity type, with the steps' `uses` (`runStep:git-push`, `runSteps:git-clone+git-push`). */
  name: string;
  scheduled: number;
  started: number;
  completed: number;
}

export interface PromotionTimeline {
  started: number;
  closed: number;
  /** When it signalled its project that it ended (its last signal to another workflow); NaN without one. */
  reported: number;
  activities: ActivitySpan[];
  /** Workflow tasks: scheduled → started → completed. */
  workflowTasks: { scheduled: number; started: number; completed: number }[];
}

export interface HistoryEvent {
  eventId?: { toString(): string } | null;
  eventTime?: { seconds?: number | { toNumber(): number } | null; nanos?: number | null } | null;
  [attributes: string]: unknown;
}

export function eventMs(e: HistoryEvent): number {
  const s = e.eventTime?.seconds;
  const seconds = typeof s === 'number' ? s : s ? s.toNumber() : 0;
  return seconds * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
}

export function attrs<T>(e: HistoryEvent, name: string): T | undefined {
  return (e[name] ?? undefined) as T | undefined;
}

/** The activity type, with the step's `uses` when the input names one. */
function activityName(e: HistoryEvent): string {
  const a = attrs<{ activityType?: { name?: string }; input?: { payloads?: { data?: Uint8Array }[] } }>(e, 'activityTaskScheduledEventAttributes');
  const type = a?.activityType?.name ?? '?';
  const data = a?.input?.payloads?.[0]?.data;
  if (!data) return type;
  try {
    const input = JSON.parse(Buffer.from(data).toString('utf8')) as { step?: { uses?: string }; steps?: { uses?: string }[] };
    const uses = input.step?.uses ?? input.steps?.map((s) => s.uses).join('+');
    return uses ? `${type}:${uses}` : type;
  } catch {
    return type;
  }
}

/** The events of a workflow run (its latest run without `runId`). */
export async function historyEvents(client: Client, workflowId: string, runId?: string): Promise<HistoryEvent[]> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  return (history.events ?? []) as unknown as HistoryEvent[];
}

/** The timeline of a promotion workflow's latest run. */
export async function promotionTimeline(client: Client, workflowId: string): Promise<PromotionTimeline> {
  const events = await historyEvents(client, workflowId);
  const byId = new Map<string, HistoryEvent>();
  const activityStarted = new Map<string, number>();
  const activities: ActivitySpan[] = [];
  const workflowTasks: PromotionTimeline['workflowTasks'] = [];
  let taskScheduled = 0;
  let taskStarted = 0;
  let reported = Number.NaN;
  for (const e of events) {
    byId.set(String(e.eventId ?? ''), e);
    const at = eventMs(e);
    if (attrs(e, 'workflowTaskScheduledEventAttributes')) taskScheduled = at;
    if (attrs(e, 'workflowTaskStartedEventAttributes')) taskStarted = at;
    if (attrs(e, 'signalExternalWorkflowExecutionInitiatedEventAttributes')) reported = at;
    if (attrs(e, 'workflowTaskCompletedEventAttributes')) workflowTasks.push({ scheduled: taskScheduled, started: taskStarted, completed: at });
    const started = attrs<{ scheduledEventId?: { toString(): string } }>(e, 'activityTaskStartedEventAttributes');
    if (started) activityStarted.set(String(started.scheduledEventId), at);
    const done = attrs<{ scheduledEventId?: { toString(): string } }>(e, 'activityTaskCompletedEventAttributes');
    if (done) {
      const id = String(done.scheduledEventId);
      const scheduled = byId.get(id);
      if (!scheduled) continue;
      activities.push({ name: activityName(scheduled), scheduled: eventMs(scheduled), started: activityStarted.get(id) ?? eventMs(scheduled), completed: at });
    }
  }
  return { started: events[0] ? eventMs(events[0]) : Number.NaN, closed: events.length ? eventMs(events[events.length - 1]!) : Number.NaN, reported, activities, workflowTasks };
}

/** Medians over promotions: per activity name, the wait for a worker and the run; and the workflow tasks' share. */
export function describeTimelines(timelines: PromotionTimeline[]): string {
  const byName = new Map<string, { waits: number[]; runs: number[] }>();
  for (const t of timelines) {
    for (const a of t.activities) {
      const entry = byName.get(a.name) ?? { waits: [], runs: [] };
      entry.waits.push(a.started - a.scheduled);
      entry.runs.push(a.completed - a.started);
      byName.set(a.name, entry);
    }
  }
  const ms = (x: number): string => `${Math.round(x)} ms`;
  const lines = [...byName].map(([name, e]) => `  ${name}: waits ${ms(median(e.waits))} for a worker, runs ${ms(median(e.runs))} (${e.runs.length})`);
  const total = (t: PromotionTimeline): number => t.closed - t.started;
  const inTasks = (t: PromotionTimeline): number => t.workflowTasks.reduce((sum, w) => sum + (w.completed - w.scheduled), 0);
  const taskWaits = (t: PromotionTimeline): number => t.workflowTasks.reduce((sum, w) => sum + (w.started - w.scheduled), 0);
  const inActivities = (t: PromotionTimeline): number => t.activities.reduce((sum, a) => sum + (a.completed - a.scheduled), 0);
  lines.push(
    `  a promotion: ${ms(median(timelines.map(total)))} start to close, of which workflow tasks ${ms(median(timelines.map(inTasks)))} ` +
      `(${ms(median(timelines.map(taskWaits)))} of it waiting for a worker, ${median(timelines.map((t) => t.workflowTasks.length))} tasks) ` +
      `and activities ${ms(median(timelines.map(inActivities)))} (scheduled to completed), medians over ${timelines.length}`,
  );
  const starts = timelines.map((t) => t.started);
  const closes = timelines.map((t) => t.closed);
  lines.push(`  the promotions started over ${ms(Math.max(...starts) - Math.min(...starts))} and closed over ${ms(Math.max(...closes) - Math.min(...closes))}, first start to last close ${ms(Math.max(...closes) - Math.min(...starts))}`);
  return lines.join('\n');
}
