/**
 * stepsTogether (core/promotion/steps-together.ts): which steps a promotion runs in one activity.
 */
import { MAX_STEPS_TOGETHER, stepsTogether } from '../../../core/promotion/steps-together.js';

const plan = (...uses: string[]): { uses: string }[] => uses.map((u) => ({ uses: u }));

describe('stepsTogether', () => {
  it('runs the step and every one after it together', () => {
    expect(stepsTogether(plan('git-clone', 'yaml-update', 'git-commit', 'git-push'), 0)).toBe(4);
    expect(stepsTogether(plan('git-clone', 'yaml-update', 'git-commit', 'git-push'), 2)).toBe(2);
    expect(stepsTogether(plan('git-clone'), 0)).toBe(1);
  });

  it('stops before a wait-for-approval, which runs alone', () => {
    const steps = plan('git-clone', 'wait-for-approval', 'git-commit', 'git-push');
    expect(stepsTogether(steps, 0)).toBe(1);
    expect(stepsTogether(steps, 1)).toBe(1);
    expect(stepsTogether(steps, 2)).toBe(2);
  });

  it('takes at most the maximum, and nothing past the end', () => {
    expect(stepsTogether(plan(...Array.from({ length: 25 }, () => 'copy')), 0)).toBe(MAX_STEPS_TOGETHER);
    expect(stepsTogether(plan('copy', 'copy', 'copy'), 0, 2)).toBe(2);
    expect(stepsTogether(plan('copy'), 1)).toBe(0);
  });
});
