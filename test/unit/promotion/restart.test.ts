import type { StepRecord } from '../../../core/project/state.js';
import { restartFromFirstStep, resumeAtFailedStep } from '../../../core/promotion/restart.js';

const record = (alias: string, overrides: Partial<StepRecord> = {}): StepRecord => ({ alias, uses: 'yaml-update', status: 'Pending', errorCount: 0, ...overrides });

describe('restartFromFirstStep', () => {
  it('sets every step back to Pending with no errors and starts at the first', () => {
    const steps = [record('a', { status: 'Succeeded', errorCount: 1 }), record('b', { status: 'Running', errorCount: 2 }), record('c')];
    expect(restartFromFirstStep(steps)).toBe(0);
    expect(steps.map((s) => [s.status, s.errorCount])).toEqual([
      ['Pending', 0],
      ['Pending', 0],
      ['Pending', 0],
    ]);
  });
});

describe('resumeAtFailedStep', () => {
  it("keeps the failed promotion's records and outputs before the failed step, and starts at it", () => {
    // arrange
    const steps = [record('clone'), record('push'), record('sync')];
    const outputs: Record<string, Record<string, unknown>> = {};
    const kept = [
      record('clone', { status: 'Succeeded', startedAt: 't1', finishedAt: 't2' }),
      record('push', { status: 'Failed', errorCount: 1, message: 'rejected' }),
      record('sync'),
    ];

    // act
    const first = resumeAtFailedStep(steps, outputs, { failedStep: 1, steps: kept, outputs: { clone: { commit: 'abc' } } });

    // assert
    expect(first).toBe(1);
    expect(steps).toEqual([kept[0], record('push'), record('sync')]);
    expect(steps[0]).not.toBe(kept[0]);
    expect(outputs).toEqual({ clone: { commit: 'abc' } });
  });

  it('starts at the first step when the first step failed', () => {
    const steps = [record('clone')];
    expect(resumeAtFailedStep(steps, {}, { failedStep: 0, steps: [record('clone', { status: 'Errored' })], outputs: {} })).toBe(0);
    expect(steps).toEqual([record('clone')]);
  });
});
