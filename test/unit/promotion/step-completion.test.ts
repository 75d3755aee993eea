import {
  classifyStepError,
  retryDelayMs,
  stepCompletion,
  stepTimeoutText,
  type StepAttemptResult,
  type StepCompletion,
  type StepCompletionInput,
} from '../../../core/promotion/step-completion.js';
import type { PlannedStep } from '../../../core/promotion/types.js';

const T0 = Date.parse('2026-12-04T10:00:00Z');
const MINUTE = 60_000;

/** One attempt, `elapsedMs` after the step's first start, with a 5m timeout and a threshold of 3 unless told. */
function decide(result: StepAttemptResult, overrides: Partial<StepCompletionInput> & { elapsedMs?: number; errorCount?: number } = {}): StepCompletion {
  const { elapsedMs = 0, errorCount = 0, ...rest } = overrides;
  return stepCompletion({
    result,
    attempts: { errorCount, firstStartedMs: T0 },
    limits: { errorThreshold: 3, timeoutMs: 5 * MINUTE },
    timeoutText: '5m',
    nowMs: T0 + elapsedMs,
    ...rest,
  });
}

const retryable = (message = 'connection reset'): StepAttemptResult => ({ status: 'Error', kind: 'retryable', message });

describe('stepCompletion', () => {
  describe('a finished step', () => {
    it.each<['Succeeded' | 'Skipped']>([['Succeeded'], ['Skipped']])('is done when it %s, even past its timeout', (status) => {
      expect(decide({ status }, { elapsedMs: 10 * MINUTE, errorCount: 2 })).toEqual({ next: 'done', status, errorCount: 2 });
    });

    it("keeps the step's own message", () => {
      expect(decide({ status: 'Succeeded', message: 'merged PR 7' })).toEqual({ next: 'done', status: 'Succeeded', errorCount: 0, message: 'merged PR 7' });
    });
  });

  describe('a terminal error', () => {
    it('is Failed for a business failure (the step said so), without another try', () => {
      expect(decide({ status: 'Error', kind: 'failed', message: 'tests failed' })).toEqual({ next: 'done', status: 'Failed', errorCount: 0, message: 'tests failed' });
    });

    it('is Errored for an error that is not worth another try, whatever the threshold', () => {
      expect(decide({ status: 'Error', kind: 'errored', message: 'invalid config' }, { limits: { errorThreshold: 10 } })).toEqual({
        next: 'done',
        status: 'Errored',
        errorCount: 0,
        message: 'invalid config',
      });
    });
  });

  describe('a retryable error', () => {
    it.each<[number, number]>([
      [0, 1000],
      [1, 2000],
    ])('with %i errors before, under the threshold of 3, is tried again after %ims', (before, delay) => {
      expect(decide(retryable(), { errorCount: before })).toEqual({ next: 'retry', afterMs: delay, errorCount: before + 1, message: 'connection reset' });
    });

    it('meeting the threshold is Errored, and says which threshold it met', () => {
      expect(decide(retryable(), { errorCount: 2 })).toEqual({
        next: 'done',
        status: 'Errored',
        errorCount: 3,
        message: 'connection reset (met error threshold of 3)',
      });
    });

    it('with a threshold of 1 is Errored at once, with the bare message', () => {
      expect(decide(retryable(), { limits: { errorThreshold: 1 } })).toEqual({ next: 'done', status: 'Errored', errorCount: 1, message: 'connection reset' });
    });

    it('after the timeout has passed is Errored as timed out, naming the last error (Kargo)', () => {
      expect(decide(retryable(), { elapsedMs: 5 * MINUTE + 1 })).toEqual({
        next: 'done',
        status: 'Errored',
        errorCount: 1,
        message: 'step timed out after 5m; last error: connection reset',
      });
    });

    it('under the old rule, after the timeout, ended as if it had met the threshold (replayed promotions)', () => {
      expect(decide(retryable(), { elapsedMs: 5 * MINUTE + 1, timeoutRule: 'before-next-poll' })).toEqual({
        next: 'done',
        status: 'Errored',
        errorCount: 1,
        message: 'connection reset (met error threshold of 3)',
      });
    });

    it('exactly at the timeout is tried again (the limit is passed only after it)', () => {
      expect(decide(retryable(), { elapsedMs: 5 * MINUTE })).toMatchObject({ next: 'retry', errorCount: 1 });
    });

    it('is tried again however long it takes when the step has no timeout', () => {
      expect(decide(retryable(), { elapsedMs: 1000 * MINUTE, limits: { errorThreshold: 3 } })).toMatchObject({ next: 'retry' });
    });

    it('uses the backoff it is given', () => {
      expect(decide(retryable(), { errorCount: 1, backoff: { initialMs: 10, maximumMs: 15 } })).toMatchObject({ next: 'retry', afterMs: 15 });
    });
  });

  describe('a step still running', () => {
    it('is polled again after the wait it asked for', () => {
      expect(decide({ status: 'Running', retryAfterMs: 30_000 })).toEqual({ next: 'poll', afterMs: 30_000 });
    });

    it("carries the step's message while it waits", () => {
      expect(decide({ status: 'Running', retryAfterMs: 5000, message: 'waiting for PR 7' })).toEqual({ next: 'poll', afterMs: 5000, message: 'waiting for PR 7' });
    });

    it('is polled again when the next poll would end past the timeout (Kargo: a soft timeout)', () => {
      expect(decide({ status: 'Running', retryAfterMs: 2 * MINUTE }, { elapsedMs: 4 * MINUTE })).toEqual({ next: 'poll', afterMs: 2 * MINUTE });
    });

    it('is Errored as timed out once an attempt ends past the timeout', () => {
      expect(decide({ status: 'Running', retryAfterMs: 2 * MINUTE }, { elapsedMs: 6 * MINUTE })).toEqual({
        next: 'done',
        status: 'Errored',
        errorCount: 0,
        message: 'step timed out after 5m',
      });
    });

    it('under the old rule was Errored as soon as the next poll would end past the timeout (replayed promotions)', () => {
      expect(decide({ status: 'Running', retryAfterMs: 2 * MINUTE }, { elapsedMs: 4 * MINUTE, timeoutRule: 'before-next-poll' })).toEqual({
        next: 'done',
        status: 'Errored',
        errorCount: 0,
        message: 'step timed out after 5m',
      });
    });

    it('formats the limit when the manifest wrote none (a default timeout)', () => {
      const decided = decide({ status: 'Running', retryAfterMs: 0 }, { elapsedMs: 91 * MINUTE, limits: { errorThreshold: 1, timeoutMs: 90 * MINUTE }, timeoutText: undefined });
      // Go's Duration.String, as Kargo prints the limit.
      expect(decided).toMatchObject({ next: 'done', status: 'Errored', message: 'step timed out after 1h30m0s' });
    });

    it('is polled forever when the step has no timeout', () => {
      expect(decide({ status: 'Running', retryAfterMs: 1000 }, { elapsedMs: 10_000 * MINUTE, limits: { errorThreshold: 1 } })).toEqual({ next: 'poll', afterMs: 1000 });
    });

    it('keeps the error count of earlier attempts when it times out', () => {
      expect(decide({ status: 'Running', retryAfterMs: 0 }, { elapsedMs: 6 * MINUTE, errorCount: 2 })).toMatchObject({ next: 'done', errorCount: 2 });
    });
  });
});

describe('retryDelayMs', () => {
  it.each<[number, number]>([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [5, 16_000],
    [6, 30_000],
    [40, 30_000],
  ])('after %i errors waits %ims', (errors, ms) => {
    expect(retryDelayMs(errors)).toBe(ms);
  });
});

describe('classifyStepError', () => {
  it.each<[string, { type?: string; retryable?: boolean; message: string }, string]>([
    ['a StepFailed failure', { type: 'StepFailed', message: 'm' }, 'failed'],
    ['a StepFailed failure marked retryable', { type: 'StepFailed', retryable: true, message: 'm' }, 'failed'],
    ['a typed failure', { type: 'InvalidStepConfig', message: 'm' }, 'errored'],
    ['a typed failure the activity marked retryable', { type: 'Unavailable', retryable: true, message: 'm' }, 'retryable'],
    ['a reported failure with no type', { type: '', message: 'm' }, 'errored'],
    ['an untyped failure (a crash, a timeout)', { message: 'm' }, 'retryable'],
  ])('calls %s %s', (_, failure, kind) => {
    expect(classifyStepError(failure)).toEqual({ kind, message: 'm' });
  });
});

describe('stepTimeoutText', () => {
  const step = (overrides: Partial<PlannedStep>): PlannedStep => ({ alias: 'a', uses: 'git-clone', continueOnError: false, retry: {}, vars: [], config: {}, ...overrides });

  it.each<[string, Partial<PlannedStep>, string | undefined]>([
    ["the step's own timeout", { retry: { timeout: '30s' } }, '30s'],
    ["the kind's default", { uses: 'argocd-update' }, '5m'],
    ['none', {}, undefined],
  ])('is %s', (_, overrides, text) => {
    expect(stepTimeoutText(step(overrides))).toBe(text);
  });
});
