/**
 * A promotion whose worker is lost: how long a silent worker may stay silent before it counts as
 * lost (the step activity's heartbeat timeout, SHUNT_STEP_HEARTBEAT_TIMEOUT), which activity
 * timeouts mean a lost worker, and what the promotion does then: it starts its steps again in a
 * new workspace on another worker (the lost worker's workspace is gone with it), saying so in the
 * step's message, or gives up after too many losses.
 */
import { DomainError } from '../errors.js';
import { formatDuration, parseDuration } from '../duration.js';

/** Default heartbeat timeout of a step: a worker silent this long is lost. */
export const DEFAULT_STEP_HEARTBEAT_TIMEOUT = '1m';
/** Shorter would make a busy worker (a long garbage collection, a slow disk) look lost. */
export const MIN_STEP_HEARTBEAT_TIMEOUT_MS = 2_000;
/** Longer would leave a dead worker's promotion waiting past any useful failover. */
export const MAX_STEP_HEARTBEAT_TIMEOUT_MS = 3_600_000;
/** How many times a promotion may lose its worker and start its steps again elsewhere. */
export const MAX_WORKER_LOSSES = 5;

/**
 * The step heartbeat timeout setting, checked: a Go duration between 2s and 1h, returned as a
 * normalised duration string (what the workflow passes to Temporal).
 * @throws DomainError('BadRequest') naming the setting and what it accepts.
 */
export function stepHeartbeatTimeout(setting: string, name = 'SHUNT_STEP_HEARTBEAT_TIMEOUT'): string {
  let ms: number;
  try {
    ms = parseDuration(setting.trim());
  } catch {
    throw new DomainError('BadRequest', `${name}=${JSON.stringify(setting)} is not a duration: use Go syntax such as 30s, 1m or 1m30s`);
  }
  if (ms < MIN_STEP_HEARTBEAT_TIMEOUT_MS || ms > MAX_STEP_HEARTBEAT_TIMEOUT_MS) {
    throw new DomainError(
      'BadRequest',
      `${name}=${JSON.stringify(setting)} is out of range: between ${formatDuration(MIN_STEP_HEARTBEAT_TIMEOUT_MS)} and ${formatDuration(MAX_STEP_HEARTBEAT_TIMEOUT_MS)}`,
    );
  }
  return formatDuration(ms);
}

/** How often a running step heartbeats for a heartbeat timeout: three beats per timeout, at most every 10 s. */
export function heartbeatIntervalMs(heartbeatTimeoutMs: number | undefined): number {
  const every = 10_000;
  return heartbeatTimeoutMs && heartbeatTimeoutMs > 0 ? Math.max(250, Math.min(every, Math.floor(heartbeatTimeoutMs / 3))) : every;
}

/** A failure type a step reports when its workspace is not on the worker (the worker started again and removed it). */
export const WORKSPACE_GONE = 'WorkspaceGone';
/** A failure type a step reports when its worker stopped it to shut down (SIGTERM, a rolling deploy). */
export const WORKER_STOPPING = 'WorkerStopping';

/**
 * Which failures of a step activity mean the worker holding the workspace is lost:
 * - `heartbeat`: the step stopped heartbeating (the worker died while running it), the worker
 *   did not pick the step up (it died between steps), the workspace is no longer on it (it
 *   started again and removed the workspaces of its earlier run), or it stopped the step to shut
 *   down (its next run removes the workspace);
 * - `not-picked-up`: only a step nobody picked up (promotions recorded before heartbeat
 *   failover; the workflow keeps deciding those as it did).
 */
export type WorkerLossRule = 'heartbeat' | 'not-picked-up';

/** Why the worker counts as lost. */
export type WorkerLossCause = 'heartbeat' | 'not-picked-up' | 'workspace-gone' | 'worker-stopping';

/** Whether a failed step activity lost its worker, and how; undefined for any other failure. */
export function workerLossOf(failure: { type?: string; timeoutType?: string }, rule: WorkerLossRule): WorkerLossCause | undefined {
  if (failure.timeoutType === 'SCHEDULE_TO_START') return 'not-picked-up';
  if (rule !== 'heartbeat') return undefined;
  if (failure.timeoutType === 'HEARTBEAT') return 'heartbeat';
  if (failure.type === WORKSPACE_GONE) return 'workspace-gone';
  if (failure.type === WORKER_STOPPING) return 'worker-stopping';
  return undefined;
}

export interface WorkerLossInput {
  cause: WorkerLossCause;
  /** How many times this promotion already started its steps again after a lost worker. */
  restartsSoFar: number;
  /** The heartbeat timeout the step ran with (for the message). */
  heartbeatTimeout?: string;
  /** The schedule-to-start timeout the step ran with (for the message). */
  scheduleToStartTimeout?: string;
  maxRestarts?: number;
}

export type WorkerLossDecision =
  /** Start the steps again in a new workspace; the steps show `message` (still Running) meanwhile. */
  | { next: 'restart'; restarts: number; message: string }
  /** Too many lost workers: the step ends Errored with `message`. */
  | { next: 'done'; status: 'Errored'; message: string };

const WHY: Record<WorkerLossCause, (input: WorkerLossInput) => string> = {
  heartbeat: (i) => `no heartbeat for ${i.heartbeatTimeout ?? DEFAULT_STEP_HEARTBEAT_TIMEOUT}`,
  'not-picked-up': (i) => `the step was not picked up within ${i.scheduleToStartTimeout ?? 'its schedule-to-start timeout'}`,
  'workspace-gone': () => 'it started again and its workspace is gone',
  'worker-stopping': () => 'it is shutting down',
};

/** What a promotion does when the worker running its step is lost. */
export function afterWorkerLoss(input: WorkerLossInput): WorkerLossDecision {
  const max = input.maxRestarts ?? MAX_WORKER_LOSSES;
  const why = WHY[input.cause](input);
  if (input.restartsSoFar >= max) {
    return { next: 'done', status: 'Errored', message: `worker lost (${why}); the promotion already started its steps again ${max} times, giving up` };
  }
  const restarts = input.restartsSoFar + 1;
  // Attempt 1 was the first run: the first restart is attempt 2.
  return { next: 'restart', restarts, message: `worker lost (${why}); restarting the steps on another worker (attempt ${restarts + 1})` };
}
