import { rewriteLegacyExpression, rewriteLegacyTemplate } from '../../../core/expressions/index.js';
import { recordStepOutput } from '../../../core/promotion/outputs.js';

describe('older expression spellings', () => {
  it.each([
    ["${{ steps['open-pr'].status == 'Failure' }}", "${{ status(\"open-pr\") == 'Failed' }}"],
    ['${{ steps["a"].status != "Success" }}', '${{ status("a") != "Succeeded" }}'],
    ["${{ 'Error' == steps.build.status }}", "${{ 'Errored' == status(\"build\") }}"],
    ['${{ steps.clone.outputs.commits.src }}', '${{ outputs["clone"].commits.src }}'],
    ['${{ status("a") == "Failure" }}', '${{ status("a") == "Failure" }}'],
    ['no expression here: steps', 'no expression here: steps'],
  ])('%s → %s', (before, after) => {
    expect(rewriteLegacyExpression(before)).toBe(after);
  });

  it('rewrites every string of a config, keys untouched', () => {
    expect(rewriteLegacyTemplate({ a: ["${{ steps.x.status == 'Failure' }}"], steps: 1 })).toEqual({
      a: ["${{ status(\"x\") == 'Failed' }}"],
      steps: 1,
    });
  });
});

describe('recordStepOutput', () => {
  it('keeps outputs by alias; compose-output in a task also fills the task alias', () => {
    const outputs: Record<string, Record<string, unknown>> = {};
    recordStepOutput(outputs, { alias: 'bump::step-1', uses: 'yaml-update', taskAlias: 'bump' }, { commitMessage: 'x' });
    recordStepOutput(outputs, { alias: 'bump::out', uses: 'compose-output', taskAlias: 'bump' }, { tag: 'v2' });
    recordStepOutput(outputs, { alias: 'plain', uses: 'compose-output' }, { a: 1 });
    expect(outputs).toEqual({ 'bump::step-1': { commitMessage: 'x' }, 'bump::out': { tag: 'v2' }, bump: { tag: 'v2' }, plain: { a: 1 } });
  });
});
