/**
 * Every saved history (test/histories/<workflow>/<scenario>.json) replays against the current
 * workflow bundle: a change to workflow code that would break running executions fails here.
 * Needs no server. `npm run histories:capture` refreshes the corpus.
 */
import { Worker } from '@temporalio/worker';
import { workflowBundlePath } from '../../worker/create-workers.js';
import { loadHistories, type SavedHistory } from '../support/histories.js';

let histories: SavedHistory[];
beforeAll(async () => {
  histories = await loadHistories();
});

describe('replay of saved histories', () => {
  it('has histories of every workflow type', () => {
    const workflows = new Set(histories.map((h) => h.workflow));
    expect([...workflows].sort()).toEqual(expect.arrayContaining(['project', 'promotion']));
  });

  it('replays every saved history without a determinism violation', async () => {
    const failures: string[] = [];
    const results = Worker.runReplayHistories(
      { workflowBundle: { codePath: workflowBundlePath() } },
      histories.map((h) => ({ workflowId: `${h.workflow}/${h.scenario}`, history: h.history as never })),
    );
    let count = 0;
    for await (const r of results) {
      count++;
      if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(count).toBe(histories.length);
  });

  it('detects a history that the code does not match', async () => {
    const saved = histories.find((h) => h.workflow === 'promotion');
    expect(saved).toBeDefined();
    const history = structuredClone(saved!.history) as { events: { activityTaskScheduledEventAttributes?: { activityType?: { name: string } } }[] };
    const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes?.activityType);
    scheduled!.activityTaskScheduledEventAttributes!.activityType!.name = 'someOtherActivity';
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: workflowBundlePath() } }, history as never, 'tampered'),
    ).rejects.toMatchObject({ name: 'DeterminismViolationError' });
  });
});
