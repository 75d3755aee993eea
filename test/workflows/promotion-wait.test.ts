/**
 * Reading a promotion with a wait (GET …/promotions/:name?wait=, `shunt promote --wait`): the
 * api long-polls the promotion workflow's close instead of polling the project, and answers from
 * the end the workflow returned; later reads of the project read it afresh, past its read
 * snapshot. Against a real server and the real workflows.
 */
import { TemporalBackend } from '../../api/temporal-backend.js';
import { uniqueName } from '../support/temporal.js';
import { aStage, yamlOf } from '../support/manifests.js';
import { freightManifest, projectAndWarehouse, startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';

const namespace = 'promotion-wait';
let h: WorkflowHarness;
/** Opens the gate of the promotion's step: it answers Succeeded then. */
let openGate: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();
const closeGate = (): void => {
  gate = new Promise((resolve) => {
    openGate = resolve;
  });
};

beforeAll(async () => {
  h = await startWorkflowHarness({
    namespace,
    activities: {
      runStep: async () => {
        await gate;
        return { status: 'Succeeded' };
      },
    },
  });
}, 300_000);
afterAll(async () => {
  openGate();
  await h?.stop();
});

/** A project with one stage of one step, and a promotion of its freight started: its name. */
async function runningPromotion(backend: TemporalBackend): Promise<{ project: string; name: string }> {
  const project = uniqueName('wait');
  const steps = [{ uses: 'compose-output', as: 'out', config: { a: 'b' } }];
  await backend.apply(
    [
      { name: 'p.yaml', content: `${projectAndWarehouse(project)}---\n${yamlOf(aStage('dev', { project, steps }))}` },
      { name: 'f.yaml', content: freightManifest(project, '1.0.0', 'one') },
    ],
    { dryRun: false },
  );
  const promotion = await backend.promote(project, { stage: 'dev', freight: 'one' });
  return { project, name: promotion.name };
}

describe('a read of a promotion that waits for its end', () => {
  it('answers once the promotion has ended, with its end, past a read snapshot taken before it', async () => {
    // A snapshot that outlives the wait: were the read after the close not a fresh one, the
    // Running one taken below would answer until the wait ran out.
    const backend = new TemporalBackend({ connection: h.connection, namespace, readSnapshotMs: 60_000 });
    closeGate();
    const { project, name } = await runningPromotion(backend);
    expect((await backend.getPromotion(project, name)).phase).toBe('Running');
    let answered = false;
    const waited = backend.getPromotion(project, name, { waitMs: 20_000 }).finally(() => {
      answered = true;
    });
    // Still running: the read waits.
    await new Promise((r) => setTimeout(r, 1000));
    expect(answered).toBe(false);
    const queriesBefore = backend.reads.queries;
    openGate();
    const ended = await waited;
    expect(ended.phase).toBe('Succeeded');
    expect(ended.steps.map((s) => s.status)).toEqual(['Succeeded']);
    // Answered from the promotion's result: the project, busy recording ends, was not asked.
    expect(backend.reads.queries).toBe(queriesBefore);
    // Later readers see the end too, past the snapshot, and the same record.
    expect(await backend.getPromotion(project, name)).toEqual(ended);
  }, 120_000);

  it('answers the promotion as it is after the wait, or when the reader goes away', async () => {
    closeGate();
    const { project, name } = await runningPromotion(h.backend);
    const after = await h.backend.getPromotion(project, name, { waitMs: 500 });
    expect(after.phase).toBe('Running');

    const gone = new AbortController();
    const left = h.backend.getPromotion(project, name, { waitMs: 60_000, signal: gone.signal });
    setTimeout(() => gone.abort(), 300);
    // Well before the minute (jest's timeout below would fail it otherwise).
    expect((await left).phase).toBe('Running');
    openGate();
    expect((await h.backend.getPromotion(project, name, { waitMs: 60_000 })).phase).toBe('Succeeded');
  }, 30_000);

  it('answers at once for a promotion that has already ended, and NotFound for none', async () => {
    openGate();
    const { project, name } = await runningPromotion(h.backend);
    expect((await h.backend.getPromotion(project, name, { waitMs: 60_000 })).phase).toBe('Succeeded');
    expect((await h.backend.getPromotion(project, name, { waitMs: 60_000 })).phase).toBe('Succeeded');
    await expect(h.backend.getPromotion(project, 'dev.nope', { waitMs: 1000 })).rejects.toMatchObject({ code: 'NotFound' });
  }, 60_000);
});
