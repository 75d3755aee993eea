import {
  afterWorkerLoss,
  heartbeatIntervalMs,
  MAX_WORKER_LOSSES,
  stepHeartbeatTimeout,
  WORKER_STOPPING,
  WORKSPACE_GONE,
  workerLossOf,
} from '../../../core/promotion/worker-loss.js';

describe('workerLossOf', () => {
  it('counts a step that stopped heartbeating, one nobody picked up and a workspace that is gone as a lost worker', () => {
    expect(workerLossOf({ timeoutType: 'HEARTBEAT' }, 'heartbeat')).toBe('heartbeat');
    expect(workerLossOf({ timeoutType: 'SCHEDULE_TO_START' }, 'heartbeat')).toBe('not-picked-up');
    expect(workerLossOf({ type: WORKSPACE_GONE }, 'heartbeat')).toBe('workspace-gone');
    expect(workerLossOf({ type: WORKER_STOPPING }, 'heartbeat')).toBe('worker-stopping');
  });

  it('does not count a step that overran its start-to-close timeout, or a step error, as a lost worker', () => {
    expect(workerLossOf({ timeoutType: 'START_TO_CLOSE' }, 'heartbeat')).toBeUndefined();
    expect(workerLossOf({ type: 'StepFailed' }, 'heartbeat')).toBeUndefined();
    expect(workerLossOf({ type: 'FailedPrecondition' }, 'heartbeat')).toBeUndefined();
    expect(workerLossOf({}, 'heartbeat')).toBeUndefined();
  });

  it('keeps the rule of promotions recorded before heartbeat failover: only a step nobody picked up', () => {
    expect(workerLossOf({ timeoutType: 'SCHEDULE_TO_START' }, 'not-picked-up')).toBe('not-picked-up');
    expect(workerLossOf({ timeoutType: 'HEARTBEAT' }, 'not-picked-up')).toBeUndefined();
    expect(workerLossOf({ type: WORKSPACE_GONE }, 'not-picked-up')).toBeUndefined();
  });
});

describe('afterWorkerLoss', () => {
  it('restarts the steps on another worker, saying why and which attempt this is', () => {
    expect(afterWorkerLoss({ cause: 'heartbeat', restartsSoFar: 0, heartbeatTimeout: '5s' })).toEqual({
      next: 'restart',
      restarts: 1,
      message: 'worker lost (no heartbeat for 5s); restarting the steps on another worker (attempt 2)',
    });
    expect(afterWorkerLoss({ cause: 'not-picked-up', restartsSoFar: 2, scheduleToStartTimeout: '5m' })).toEqual({
      next: 'restart',
      restarts: 3,
      message: 'worker lost (the step was not picked up within 5m); restarting the steps on another worker (attempt 4)',
    });
    expect(afterWorkerLoss({ cause: 'worker-stopping', restartsSoFar: 0 })).toMatchObject({
      message: 'worker lost (it is shutting down); restarting the steps on another worker (attempt 2)',
    });
    expect(afterWorkerLoss({ cause: 'workspace-gone', restartsSoFar: 0 })).toMatchObject({
      next: 'restart',
      message: 'worker lost (it started again and its workspace is gone); restarting the steps on another worker (attempt 2)',
    });
  });

  it('names the default heartbeat timeout when the step ran with no other', () => {
    expect(afterWorkerLoss({ cause: 'heartbeat', restartsSoFar: 0 })).toMatchObject({ message: expect.stringContaining('no heartbeat for 1m') });
  });

  it('gives up with Errored once the promotion has started its steps again the most times allowed', () => {
    expect(afterWorkerLoss({ cause: 'heartbeat', restartsSoFar: MAX_WORKER_LOSSES - 1 })).toMatchObject({ next: 'restart', restarts: MAX_WORKER_LOSSES });
    expect(afterWorkerLoss({ cause: 'heartbeat', restartsSoFar: MAX_WORKER_LOSSES, heartbeatTimeout: '5s' })).toEqual({
      next: 'done',
      status: 'Errored',
      message: `worker lost (no heartbeat for 5s); the promotion already started its steps again ${MAX_WORKER_LOSSES} times, giving up`,
    });
    expect(afterWorkerLoss({ cause: 'heartbeat', restartsSoFar: 1, maxRestarts: 1 })).toMatchObject({ next: 'done', status: 'Errored' });
  });
});

describe('stepHeartbeatTimeout', () => {
  it('accepts a Go duration from 2s to 1h and normalises it', () => {
    expect(stepHeartbeatTimeout('2s')).toBe('2s');
    expect(stepHeartbeatTimeout('60s')).toBe('1m0s');
    expect(stepHeartbeatTimeout('1h')).toBe('1h0m0s');
    expect(stepHeartbeatTimeout(' 1m30s ')).toBe('1m30s');
  });

  it.each([
    ['', 'is not a duration'],
    ['-5s', 'is not a duration'],
    ['5 seconds', 'is not a duration'],
    ['0', 'is out of range: between 2s and 1h'],
    ['1999ms', 'is out of range'],
    ['61m', 'is out of range'],
  ])('refuses %j, naming the setting: %s', (value, expected) => {
    expect(() => stepHeartbeatTimeout(value)).toThrow(
      expect.objectContaining({ code: 'BadRequest', message: expect.stringContaining(`SHUNT_STEP_HEARTBEAT_TIMEOUT=${JSON.stringify(value)} ${expected}`) }),
    );
  });
});

describe('heartbeatIntervalMs', () => {
  it('beats three times per heartbeat timeout, at most every 10 s', () => {
    expect(heartbeatIntervalMs(5_000)).toBe(1_666);
    expect(heartbeatIntervalMs(60_000)).toBe(10_000);
    expect(heartbeatIntervalMs(undefined)).toBe(10_000);
    expect(heartbeatIntervalMs(0)).toBe(10_000);
  });
});
