/**
 * What the project workflow did while a burst of promote requests came in, read from the
 * histories of its runs: its workflow tasks (the wait for a worker and the run), how many updates
 * each accepted, and when it asked for the promotions to start.
 */
import type { Client } from '@temporalio/client';
import { median } from '../stats.js';
import { attrs, eventMs, type HistoryEvent } from './promotion-timeline.js';

export interface ProjectTask {
  scheduled: number;
  started: number;
  completed: number;
  /** Updates accepted by this task. */
  accepted: number;
  /** Child workflows this task asked to start. */
  childStarts: number;
}

/** The project workflow's tasks completed within [from, to], over its runs (latest first, up to `maxRuns`). */
export async function projectTasks(client: Client, workflowId: string, from: number, to: number, maxRuns = 5): Promise<ProjectTask[]> {
  const tasks: ProjectTask[] = [];
  let runId: string | undefined;
  for (let run = 0; run < maxRuns; run++) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = (history.events ?? []) as unknown as HistoryEvent[];
    tasks.push(...tasksOf(events).filter((t) => t.completed >= from && t.completed <= to));
    const first = events[0];
    const startedAt = first ? eventMs(first) : 0;
    const previous = attrs<{ continuedExecutionRunId?: string | null }>(first ?? {}, 'workflowExecutionStartedEventAttributes')?.continuedExecutionRunId;
    if (!previous || startedAt < from) break;
    runId = previous;
  }
  return tasks.sort((a, b) => a.completed - b.completed);
}

function tasksOf(events: HistoryEvent[]): ProjectTask[] {
  const tasks: ProjectTask[] = [];
  let scheduled = 0;
  let started = 0;
  let current: ProjectTask | undefined;
  for (const e of events) {
    const at = eventMs(e);
    if (attrs(e, 'workflowTaskScheduledEventAttributes')) scheduled = at;
    else if (attrs(e, 'workflowTaskStartedEventAttributes')) started = at;
    else if (attrs(e, 'workflowTaskCompletedEventAttributes')) {
      current = { scheduled, started, completed: at, accepted: 0, childStarts: 0 };
      tasks.push(current);
    } else if (current && attrs(e, 'workflowExecutionUpdateAcceptedEventAttributes')) current.accepted++;
    else if (current && attrs(e, 'startChildWorkflowExecutionInitiatedEventAttributes')) current.childStarts++;
  }
  return tasks;
}

/** A few lines: the tasks' count, waits and runs, and when updates were accepted and promotions asked for, relative to `t0`. */
export function describeProjectTasks(tasks: ProjectTask[], t0: number): string {
  if (tasks.length === 0) return '  the project workflow completed no workflow task in the window';
  const ms = (x: number): string => `${Math.round(x)} ms`;
  const withUpdates = tasks.filter((t) => t.accepted > 0);
  const withStarts = tasks.filter((t) => t.childStarts > 0);
  const span = (list: ProjectTask[]): string => (list.length ? `${ms(list[0]!.completed - t0)} → ${ms(list[list.length - 1]!.completed - t0)}` : 'none');
  return [
    `  the project workflow: ${tasks.length} workflow tasks, each waiting ${ms(median(tasks.map((t) => t.started - t.scheduled)))} for a worker and running ${ms(median(tasks.map((t) => t.completed - t.started)))} (medians; longest run ${ms(Math.max(...tasks.map((t) => t.completed - t.started)))})`,
    `  updates accepted by ${withUpdates.length} tasks (${withUpdates.map((t) => t.accepted).join(', ')}), at ${span(withUpdates)} after the requests were sent`,
    `  promotion starts asked for by ${withStarts.length} tasks (${withStarts.map((t) => t.childStarts).join(', ')}), at ${span(withStarts)}`,
    `  each task (scheduled → started → completed after the requests were sent, updates accepted, starts asked for): ${tasks
      .map((t) => `${ms(t.scheduled - t0)}→${ms(t.started - t0)}→${ms(t.completed - t0)} ${t.accepted}u ${t.childStarts}s`)
      .join('; ')}`,
  ].join('\n');
}
