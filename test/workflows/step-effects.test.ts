/**
 * Step effects through the real project and promotion workflows on the dev server (stub step
 * activities): set-metadata is visible to later steps of the same promotion at once, and the
 * project applies metadata and aliases when the promotion ends; an alias already taken is not
 * applied and the promotion's message says so.
 */
import type { RunStepInput, RunStepOutcome } from '../../activities/run-step.js';
import type { TemporalBackend } from '../../api/temporal-backend.js';
import { aStage, yamlOf } from '../support/manifests.js';
import { freightManifest, projectAndWarehouse, promotionEnded, startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';

const namespace = 'step-effects';
let harness: WorkflowHarness;
let backend: TemporalBackend;
const seen: RunStepInput[] = [];

/** Stands in for the real steps: set-metadata / set-freight-alias return effects as theirs do. */
async function runStep(call: RunStepInput): Promise<RunStepOutcome> {
  seen.push(call);
  const config = call.step.config as Record<string, string>;
  if (call.step.uses === 'set-metadata') {
    return { status: 'Succeeded', effects: [{ kind: 'set-metadata', target: 'Stage', name: call.stage, values: { lastTag: config['tag'] ?? '' } }] };
  }
  if (call.step.uses === 'set-freight-alias') {
    return { status: 'Succeeded', effects: [{ kind: 'set-freight-alias', freight: call.targetFreight.name, alias: config['alias'] ?? '' }] };
  }
  return { status: 'Succeeded', output: { sawMetadata: call.metadata?.stages[call.stage] ?? null } };
}

beforeAll(async () => {
  harness = await startWorkflowHarness({ namespace, activities: { runStep } });
  ({ backend } = harness);
});

afterAll(async () => {
  await harness?.stop();
});

const PIPELINE = `${projectAndWarehouse('fx')}---
${yamlOf(
  aStage('dev', {
    project: 'fx',
    steps: [
      { uses: 'set-metadata', config: { tag: 'v1' } },
      { uses: 'compose-output', as: 'read', config: {} },
      { uses: 'set-freight-alias', config: { alias: 'blessed' } },
    ],
  }),
)}`;

const freight = (tag: string): string => freightManifest('fx', tag);

const finished = (name: string): Promise<{ phase: string; message?: string }> => promotionEnded(backend, 'fx', name);

describe('step effects', () => {
  it('apply metadata and aliases to the project; later steps see metadata at once; a taken alias is reported', async () => {
    await backend.apply([{ name: 'p.yaml', content: PIPELINE }], { dryRun: false });
    await backend.apply([{ name: 'f1.yaml', content: freight('1.0.0') }], { dryRun: false });
    await backend.apply([{ name: 'f2.yaml', content: freight('2.0.0') }], { dryRun: false });
    const [f1, f2] = Object.values((await backend.getProject('fx')).freight).sort((a, b) => (a.images[0]!.tag < b.images[0]!.tag ? -1 : 1));

    const first = await backend.promote('fx', { stage: 'dev', freight: f1!.name });
    expect((await finished(first.name)).phase).toBe('Succeeded');
    const read = seen.find((c) => c.promotion === first.name && c.step.alias === 'read');
    expect(read?.metadata?.stages['dev']).toEqual({ lastTag: 'v1' });
    let state = await backend.getProject('fx');
    expect(state.stages['dev']?.metadata).toEqual({ lastTag: 'v1' });
    expect(state.freight[f1!.name]?.alias).toBe('blessed');

    // The second promotion starts with the metadata the first left, and cannot take the alias.
    const second = await backend.promote('fx', { stage: 'dev', freight: f2!.name });
    const done = await finished(second.name);
    expect(done.phase).toBe('Succeeded');
    expect(done.message).toBe(`set-freight-alias: alias "blessed" is already used by freight ${f1!.name}; not applied`);
    const firstStep = seen.find((c) => c.promotion === second.name && c.step.uses === 'set-metadata');
    expect(firstStep?.metadata?.stages['dev']).toEqual({ lastTag: 'v1' });
    state = await backend.getProject('fx');
    expect(state.freight[f2!.name]?.alias).not.toBe('blessed');
  });
});
