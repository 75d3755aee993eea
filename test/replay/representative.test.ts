/**
 * The saved histories that replay.test.ts replays must cover the runs that matter, each showing
 * the thing that makes it representative (a history that no longer does is as good as none):
 * a deletion or a re-capture that loses one of these fails here, not silently.
 */
import { loadHistories, localActivityType, patchIds, type MarkerAttributes, type SavedHistory } from '../support/histories.js';

interface HistoryEvent {
  eventType?: string;
  workflowExecutionStartedEventAttributes?: { continuedExecutionRunId?: string; workflowType?: { name?: string } };
  activityTaskTimedOutEventAttributes?: { failure?: { timeoutFailureInfo?: { timeoutType?: string } } };
  activityTaskStartedEventAttributes?: { attempt?: number; lastFailure?: { timeoutFailureInfo?: { timeoutType?: string } } };
  markerRecordedEventAttributes?: MarkerAttributes;
}

const events = (h: SavedHistory): HistoryEvent[] => (h.history as { events: HistoryEvent[] }).events;
const has = (h: SavedHistory, type: string): boolean => events(h).some((e) => e.eventType === `EVENT_TYPE_${type}`);
const timedOut = (h: SavedHistory, kind: string): boolean =>
  events(h).some((e) => e.activityTaskTimedOutEventAttributes?.failure?.timeoutFailureInfo?.timeoutType === `TIMEOUT_TYPE_${kind}`);

/** An activity started again after its earlier attempt timed out this way (e.g. its worker was killed). */
const retriedAfter = (h: SavedHistory, kind: string): boolean =>
  events(h).some(
    (e) =>
      (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1 &&
      e.activityTaskStartedEventAttributes?.lastFailure?.timeoutFailureInfo?.timeoutType === `TIMEOUT_TYPE_${kind}`,
  );

/** The activity types the history scheduled, in order. */
const scheduled = (h: SavedHistory): string[] =>
  events(h).flatMap((e) => {
    const name = (e as { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }).activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });

/** The activity types of the history's local activities (their markers), in order. */
const localActivities = (h: SavedHistory): string[] =>
  events(h).flatMap((e) => {
    const type = localActivityType(e.markerRecordedEventAttributes);
    return type ? [type] : [];
  });

/** The patch ids of the history's markers (workflows/handlers-first.ts and the others). */
const patches = (h: SavedHistory): string[] => patchIds(events(h));

/** Every update that was accepted completed before any other command of its workflow task. */
const completionsFirst = (h: SavedHistory): boolean => {
  let open = 0;
  for (const e of events(h)) {
    const t = e.eventType ?? '';
    if (t === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED') open++;
    else if (t === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED') open--;
    else if (open > 0 && /_INITIATED$|_SCHEDULED$|TIMER_STARTED$/.test(t) && t !== 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED') return false;
  }
  return true;
};

const REPRESENTATIVE: { history: string; shows: string; check: (h: SavedHistory) => boolean }[] = [
  {
    history: 'promotion/real-steps-e2e',
    shows: 'a promotion whose real git steps succeeded',
    check: (h) => has(h, 'ACTIVITY_TASK_COMPLETED') && has(h, 'WORKFLOW_EXECUTION_COMPLETED'),
  },
  {
    history: 'promotion/steps-together',
    shows: 'a promotion whose consecutive steps ran in one activity (run-steps-together patch)',
    check: (h) => patches(h).includes('run-steps-together') && scheduled(h).filter((t) => t === 'runSteps').length === 1 && !scheduled(h).includes('runStep'),
  },
  {
    history: 'promotion/prepared-locally',
    shows: "a promotion whose workspace a local activity made (prepare-workspace-locally patch): a marker, no prepareWorkspace activity",
    check: (h) => patches(h).includes('prepare-workspace-locally') && localActivities(h).includes('prepareWorkspace') && !scheduled(h).includes('prepareWorkspace'),
  },
  {
    history: 'promotion/released-with-last-steps',
    shows: 'a promotion whose last runSteps released its workspace (release-with-last-steps patch): no releaseWorkspace activity',
    check: (h) => patches(h).includes('release-with-last-steps') && scheduled(h).join(',') === 'runSteps' && has(h, 'WORKFLOW_EXECUTION_COMPLETED'),
  },
  {
    history: 'promotion/one-patch-marker',
    shows: "a promotion that recorded its patch set's one marker (promotion-patches-2026-12) and none of the set's own, with one search attribute upsert",
    check: (h) =>
      patches(h).join(',') === 'promotion-patches-2026-12' &&
      events(h).filter((e) => e.eventType === 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES').length === 1 &&
      localActivities(h).includes('prepareWorkspace') &&
      scheduled(h).join(',') === 'runSteps',
  },
  {
    history: 'promotion/steps-together-later-step-retried',
    shows: 'a promotion whose later step errored among steps run together and was retried alone',
    check: (h) => patches(h).includes('run-steps-together') && scheduled(h).join(',').includes('runSteps,runStep,runStep,runSteps'),
  },
  {
    history: 'promotion/step-failed',
    shows: 'a promotion whose step failed',
    check: (h) => has(h, 'ACTIVITY_TASK_FAILED') && has(h, 'WORKFLOW_EXECUTION_COMPLETED'),
  },
  {
    history: 'promotion/worker-lost',
    shows: 'a promotion that lost its worker and started its steps again elsewhere',
    check: (h) => timedOut(h, 'SCHEDULE_TO_START'),
  },
  {
    history: 'promotion/process-tree-killed',
    shows: 'a promotion that went on after the whole process tree was killed (test/crash)',
    check: (h) => retriedAfter(h, 'HEARTBEAT') && has(h, 'WORKFLOW_EXECUTION_COMPLETED'),
  },
  {
    history: 'project/after-continue-as-new',
    shows: 'a project workflow after continue-as-new',
    check: (h) => Boolean(events(h)[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId),
  },
  {
    history: 'project/apply-and-promote',
    shows: 'a project workflow that applied specs and started a promotion',
    check: (h) => has(h, 'WORKFLOW_EXECUTION_UPDATE_COMPLETED') && has(h, 'START_CHILD_WORKFLOW_EXECUTION_INITIATED'),
  },
  {
    history: 'project/apply-and-promote-handlers-first',
    shows: 'a project workflow whose promote update completed before the promotion it queued started (handlers-first patch)',
    check: (h) => patches(h).includes('update-completions-before-commands') && has(h, 'START_CHILD_WORKFLOW_EXECUTION_INITIATED') && completionsFirst(h),
  },
  {
    history: 'promotion/approval-gate-handlers-first',
    shows: 'a promotion whose approval update completed before the promotion went on (handlers-first patch)',
    check: (h) => patches(h).includes('update-completions-before-commands') && has(h, 'WORKFLOW_EXECUTION_UPDATE_COMPLETED') && completionsFirst(h),
  },
  {
    history: 'warehouse-scan/fails-then-recovers',
    shows: 'a warehouse scan whose discovery failed, was reported, and succeeded after a backoff timer',
    check: (h) => has(h, 'ACTIVITY_TASK_FAILED') && has(h, 'TIMER_FIRED') && events(h).filter((e) => e.eventType === 'EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED').length === 2,
  },
  {
    history: 'project/warehouse-discovery',
    shows: 'a project workflow that applied warehouse schedules and took scan reports',
    check: (h) => has(h, 'MARKER_RECORDED') && has(h, 'ACTIVITY_TASK_COMPLETED') && has(h, 'WORKFLOW_EXECUTION_SIGNALED'),
  },
  {
    history: 'promotion/refresh-wakes-running-step',
    shows: 'a promotion whose Running step was checked again at once on a stage refresh (refresh-wakes-running-step patch)',
    check: (h) => patches(h).includes('refresh-wakes-running-step') && has(h, 'WORKFLOW_EXECUTION_SIGNALED') && has(h, 'TIMER_CANCELED'),
  },
  {
    history: 'project/refresh-stage',
    shows: "a project workflow that refreshed a stage and signalled the stage's running promotion",
    check: (h) => has(h, 'WORKFLOW_EXECUTION_UPDATE_COMPLETED') && has(h, 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED'),
  },
  {
    history: 'project/freight-creation-criteria',
    shows: "a project workflow that took scan reports under Kargo's freight creation criteria (kargo-freight-creation-criteria patch)",
    check: (h) => patches(h).includes('kargo-freight-creation-criteria') && has(h, 'WORKFLOW_EXECUTION_SIGNALED'),
  },
  {
    history: 'verification/no-rollouts-native',
    shows: 'a verification Shunt measured itself because the cluster has no Argo Rollouts (analysis-backend patch)',
    check: (h) => patches(h).includes('verification-analysis-backend') && has(h, 'ACTIVITY_TASK_COMPLETED') && has(h, 'WORKFLOW_EXECUTION_COMPLETED'),
  },
  {
    history: 'verification/activity-failure-reported',
    shows: 'a verification whose activity failed and that reported the cause instead of failing (reports-failures patch)',
    check: (h) => patches(h).includes('verification-reports-failures') && has(h, 'ACTIVITY_TASK_FAILED') && has(h, 'WORKFLOW_EXECUTION_COMPLETED'),
  },
];

let histories: Map<string, SavedHistory>;
beforeAll(async () => {
  histories = new Map((await loadHistories()).map((h) => [`${h.workflow}/${h.scenario}`, h]));
});

describe('the saved histories cover representative runs', () => {
  it.each(REPRESENTATIVE)('$history: $shows', ({ history, check }) => {
    const saved = histories.get(history);
    expect(saved).toBeDefined();
    expect(check(saved!)).toBe(true);
  });
});
