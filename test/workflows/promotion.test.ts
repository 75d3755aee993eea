/**
 * promotionWorkflow's branches on the real dev server, with hand-written stub activities:
 * ordering and outputs, skip, error threshold, Running polls, timeouts, continueOnError.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Client, type Connection } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { RunStepInput, RunStepOutcome } from '../../activities/run-step.js';
import type { PlannedStep } from '../../core/promotion/types.js';
import { workflowBundlePath } from '../../worker/create-workers.js';
import { WorkerMetrics } from '../../worker/metrics.js';
import { promotionStatusQuery, type PromotionFinished } from '../../workflows/definitions.js';
import { PROMOTION_PATCHES_2026_12, type PromotionWorkflowInput } from '../../workflows/promotion.js';
import { connectClient, connectWorker, uniqueName } from '../support/temporal.js';
import { localActivityType, patchIds, saveHistory } from '../support/histories.js';
import { withRunSteps } from '../support/workflow-harness.js';

const namespace = 'workflows';
let connection: Connection;
let nativeConnection: NativeConnection;
let client: Client;

beforeAll(async () => {
  connection = await connectClient();
  nativeConnection = await connectWorker();
  client = new Client({ connection, namespace });
});
afterAll(async () => {
  await nativeConnection?.close();
  await connection?.close();
});

const step = (alias: string, extra: Partial<PlannedStep> = {}): PlannedStep => ({
  alias,
  uses: 'yaml-update',
  continueOnError: false,
  retry: {},
  vars: [],
  config: {},
  ...extra,
});

function input(steps: PlannedStep[]): PromotionWorkflowInput {
  const freight = {
    name: 'f'.repeat(40),
    alias: 'brave-otter',
    origin: { kind: 'Warehouse' as const, name: 'app' },
    commits: [],
    images: [{ repoURL: 'ghcr.io/example/app', tag: '1.0.0' }],
    charts: [],
  };
  return {
    project: 'demo',
    stage: 'dev',
    promotion: uniqueName('dev'),
    plan: { vars: [], steps },
    freight: { id: 'c1', items: { 'Warehouse/app': freight } },
    targetFreight: freight,
    requestedOrigins: ['app'],
  };
}

type StepBehaviour = (call: RunStepInput, attempt: number) => RunStepOutcome | Promise<RunStepOutcome>;

/** Runs a promotion with stub activities; `behaviour` answers each runStep by alias. */
async function runPromotion(
  steps: PlannedStep[],
  behaviour: Record<string, StepBehaviour>,
  /** The saved history's name (test/histories/promotion/<scenario>.json); several names each keep a copy. */
  scenario?: string | string[],
  options: { firstWorkspaceOnDeadWorker?: boolean; heartbeatTimeout?: string } = {},
) {
  const taskQueue = uniqueName('promotion-test');
  const calls: RunStepInput[] = [];
  const attempts = new Map<string, number>();
  const workspaces: string[] = [];
  /** The workspaces released, by the release activity or by the runSteps that ran the last steps. */
  const released: string[] = [];
  const activities = {
    prepareWorkspace: async () => {
      workspaces.push(`ws-${workspaces.length + 1}`);
      // A queue no worker polls: the worker that made the workspace has died.
      const dead = options.firstWorkspaceOnDeadWorker && workspaces.length === 1;
      return {
        workspaceKey: workspaces.at(-1)!,
        taskQueue: dead ? `${taskQueue}-dead` : taskQueue,
        ...(options.heartbeatTimeout ? { heartbeatTimeout: options.heartbeatTimeout } : {}),
      };
    },
    releaseWorkspace: async ({ workspaceKey }: { workspaceKey: string }) => {
      released.push(workspaceKey);
    },
    workspaceExists: async () => true,
    runStep: async (call: RunStepInput): Promise<RunStepOutcome> => {
      calls.push(call);
      const n = (attempts.get(call.step.alias) ?? 0) + 1;
      attempts.set(call.step.alias, n);
      const b = behaviour[call.step.alias];
      if (!b) return { status: 'Succeeded' };
      return b(call, n);
    },
  };
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace,
    taskQueue,
    ...new WorkerMetrics().workerOptions(),
    workflowBundle: { codePath: workflowBundlePath() },
    activities: withRunSteps(activities),
  });
  const workflowId = uniqueName('promotion');
  const result = await worker.runUntil(
    client.workflow.execute('promotionWorkflow', {
      taskQueue,
      workflowId,
      args: [{ ...input(steps), ...(options.firstWorkspaceOnDeadWorker ? { workerLostAfter: '2s' } : {}) }],
    }),
  );
  for (const name of [scenario ?? []].flat()) await saveHistory(client, workflowId, 'promotion', name);
  return { result: result as PromotionFinished, calls, attempts, workspaces, released, workflowId };
}

/** The patch ids of a promotion's markers, and how many times it upserted search attributes (sdk-core does once a patch). */
async function patchMarkers(workflowId: string): Promise<{ patches: string[]; upserts: number }> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  return { patches: patchIds(events), upserts: events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length };
}

/** The activities a promotion scheduled, in order (its history); a local activity as `local:<type>` (its marker). */
async function activitiesScheduled(workflowId: string): Promise<string[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    if (e.activityTaskScheduledEventAttributes) return [e.activityTaskScheduledEventAttributes.activityType?.name ?? ''];
    const type = localActivityType(e.markerRecordedEventAttributes);
    return type ? [`local:${type}`] : [];
  });
}

const stepFailed = (message: string) => ApplicationFailure.create({ type: 'StepFailed', message, nonRetryable: true });
const retryable = (message: string) =>
  ApplicationFailure.create({ type: 'Unavailable', message, nonRetryable: true, details: [{ retryable: true }] });

describe('promotionWorkflow', () => {
  it('runs the steps in order and hands each the outputs of the ones before', async () => {
    const { result, calls } = await runPromotion([step('clone'), step('edit'), step('commit')], {
      clone: () => ({ status: 'Succeeded', output: { commits: { repo: 'abc' } } }),
      edit: (call) => ({ status: 'Succeeded', output: { commitMessage: `edited after ${JSON.stringify(call.outputs)}` } }),
    }, 'three-steps-succeed');
    expect(calls.map((c) => c.step.alias)).toEqual(['clone', 'edit', 'commit']);
    expect(calls[2]!.outputs.edit).toEqual({ commitMessage: 'edited after {"clone":{"commits":{"repo":"abc"}}}' });
    expect(calls[2]!.statuses.map((s) => s.status)).toEqual(['Succeeded', 'Succeeded']);
    expect(result.phase).toBe('Succeeded');
    expect(result.steps.map((s) => s.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
  });

  it('runs consecutive steps in one activity, recording each as if it had run alone', async () => {
    const { result, calls, released, workflowId } = await runPromotion([step('clone'), step('edit'), step('commit'), step('push', { uses: 'git-push' })], {
      clone: () => ({ status: 'Succeeded', output: { commits: { repo: 'abc' } } }),
      edit: (call) => ({ status: 'Succeeded', output: { saw: Object.keys(call.outputs) }, message: 'edited values.yaml' }),
      commit: (call) => ({ status: call.statuses.every((s) => s.status === 'Succeeded') ? 'Succeeded' : 'Skipped', output: { commit: 'c0ffee' } }),
    }, ['steps-together', 'prepared-locally', 'released-with-last-steps', 'one-patch-marker']);
    // The runSteps that ran the last steps released the workspace: no activity of its own for that.
    expect(await activitiesScheduled(workflowId)).toEqual(['local:prepareWorkspace', 'runSteps']);
    // One marker (and one visibility write) for the promotion's patches, not one for each it asked.
    expect(await patchMarkers(workflowId)).toEqual({ patches: [PROMOTION_PATCHES_2026_12], upserts: 1 });
    expect(released).toEqual(['ws-1']);
    expect(calls.map((c) => c.step.alias)).toEqual(['clone', 'edit', 'commit', 'push']);
    expect(calls[3]!.outputs).toEqual({ clone: { commits: { repo: 'abc' } }, edit: { saw: ['clone'] }, commit: { commit: 'c0ffee' } });
    expect(calls[3]!.statuses).toEqual(['clone', 'edit', 'commit'].map((alias) => ({ alias, status: 'Succeeded', continueOnError: false })));
    expect(result.phase).toBe('Succeeded');
    expect(result.state).toEqual({ clone: { commits: { repo: 'abc' } }, edit: { saw: ['clone'] }, commit: { commit: 'c0ffee' } });
    expect(result.steps.map((s) => [s.status, s.errorCount, s.message])).toEqual([
      ['Succeeded', 0, undefined],
      ['Succeeded', 0, 'edited values.yaml'],
      ['Succeeded', 0, undefined],
      ['Succeeded', 0, undefined],
    ]);
    // Each step shows when it ran, one after another.
    const times = result.steps.flatMap((s) => [Date.parse(s.startedAt!), Date.parse(s.finishedAt!)]);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('retries alone a later step that errored among steps run together, counting its errors; the steps after it run together again', async () => {
    const { result, attempts, workflowId } = await runPromotion(
      [step('clone'), step('render', { retry: { errorThreshold: 3 } }), step('commit'), step('push', { uses: 'git-push' })],
      {
        render: (_call, n) => {
          if (n < 3) throw retryable(`chart repository unreachable (attempt ${n})`);
          return { status: 'Succeeded' };
        },
      },
      'steps-together-later-step-retried',
    );
    expect(await activitiesScheduled(workflowId)).toEqual(['local:prepareWorkspace', 'runSteps', 'runStep', 'runStep', 'runSteps']);
    expect(attempts.get('render')).toBe(3);
    expect(attempts.get('clone')).toBe(1);
    expect(result.phase).toBe('Succeeded');
    expect(result.steps.map((s) => [s.status, s.errorCount])).toEqual([
      ['Succeeded', 0],
      ['Succeeded', 2],
      ['Succeeded', 0],
      ['Succeeded', 0],
    ]);
  });

  it('ends Failed on a later step that failed among steps run together; the steps after it are skipped', async () => {
    const { result, calls, released } = await runPromotion([step('clone'), step('push', { uses: 'git-push' }), step('sync'), step('notify')], {
      push: () => {
        throw stepFailed('remote rejected the push');
      },
      sync: (call) => ({ status: call.statuses.some((s) => s.status === 'Failed') ? 'Skipped' : 'Succeeded' }),
      notify: (call) => ({ status: call.statuses.some((s) => s.status === 'Failed') ? 'Skipped' : 'Succeeded' }),
    });
    expect(result.phase).toBe('Failed');
    expect(result.message).toBe('step "push" (git-push) failed: remote rejected the push');
    expect(result.steps.map((s) => s.status)).toEqual(['Succeeded', 'Failed', 'Skipped', 'Skipped']);
    expect(calls.map((c) => c.step.alias)).toEqual(['clone', 'push', 'sync', 'notify']);
    // The last steps ran together and were done, but the promotion failed: its workspace stays for a retry.
    expect(result.workspace).toMatchObject({ workspaceKey: 'ws-1', failedStep: 1 });
    expect(released).toEqual([]);
  });

  it('stops running steps together at one still Running, polls it, then runs the steps after it together', async () => {
    const { result, attempts, workflowId } = await runPromotion([step('push', { uses: 'git-push' }), step('sync', { uses: 'argocd-update' }), step('note'), step('tag')], {
      sync: (_call, n) => (n === 1 ? { status: 'Running', retryAfter: '100ms', message: 'waiting for the sync' } : { status: 'Succeeded' }),
    }, 'steps-together-running');
    expect(await activitiesScheduled(workflowId)).toEqual(['local:prepareWorkspace', 'runSteps', 'runStep', 'runSteps']);
    expect(attempts.get('sync')).toBe(2);
    expect(result.phase).toBe('Succeeded');
    expect(result.steps.map((s) => s.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']);
  });

  it('ends Failed when a step fails for a business reason, naming the step', async () => {
    const { result, calls } = await runPromotion([step('clone'), step('push', { uses: 'git-push' }), step('after')], {
      push: () => {
        throw stepFailed('remote rejected the push');
      },
      after: (call) => ({ status: call.statuses.some((s) => s.status === 'Failed') ? 'Skipped' : 'Succeeded' }),
    }, 'step-failed');
    expect(result.phase).toBe('Failed');
    expect(result.message).toBe('step "push" (git-push) failed: remote rejected the push');
    expect(result.steps.map((s) => s.status)).toEqual(['Succeeded', 'Failed', 'Skipped']);
    expect(calls).toHaveLength(3);
  });

  it('retries a step that errors until its error threshold, then succeeds', async () => {
    const { result, attempts } = await runPromotion([step('flaky', { retry: { errorThreshold: 3 } })], {
      flaky: (_call, n) => {
        if (n < 3) throw retryable(`remote unreachable (attempt ${n})`);
        return { status: 'Succeeded' };
      },
    });
    expect(attempts.get('flaky')).toBe(3);
    expect(result.phase).toBe('Succeeded');
    expect(result.steps[0]!.errorCount).toBe(2);
  });

  it('ends Errored when the error threshold is met', async () => {
    const { result, attempts } = await runPromotion([step('flaky', { retry: { errorThreshold: 2 } })], {
      flaky: () => {
        throw retryable('remote unreachable');
      },
    }, 'error-threshold-met');
    expect(attempts.get('flaky')).toBe(2);
    expect(result.phase).toBe('Errored');
    expect(result.steps[0]!.message).toBe('remote unreachable (met error threshold of 2)');
  });

  it('does not retry with the default threshold of 1', async () => {
    const { result, attempts } = await runPromotion([step('once')], {
      once: () => {
        throw retryable('boom');
      },
    });
    expect(attempts.get('once')).toBe(1);
    expect(result.phase).toBe('Errored');
  });

  it('polls a Running step after its retryAfter until it is done', async () => {
    const { result, attempts } = await runPromotion([step('wait')], {
      wait: (_call, n) => (n < 3 ? { status: 'Running', retryAfter: '100ms', message: 'waiting' } : { status: 'Succeeded' }),
    }, 'running-then-succeeded');
    expect(attempts.get('wait')).toBe(3);
    expect(result.phase).toBe('Succeeded');
  });

  it('errors a Running step once an attempt ends past its timeout', async () => {
    const { result } = await runPromotion([step('wait', { retry: { timeout: '1s' } })], {
      wait: () => ({ status: 'Running', retryAfter: '400ms' }),
    });
    expect(result.phase).toBe('Errored');
    expect(result.steps[0]!.message).toBe('step timed out after 1s');
  });

  it("gives a Running step the poll that ends past its timeout, and counts it done if it is (Kargo's soft timeout)", async () => {
    const { result, attempts } = await runPromotion([step('wait', { retry: { timeout: '1s' } })], {
      wait: (_call, n) => (n === 1 ? { status: 'Running', retryAfter: '1500ms' } : { status: 'Succeeded' }),
    }, 'soft-timeout-poll-succeeds');
    expect(attempts.get('wait')).toBe(2);
    expect(result.phase).toBe('Succeeded');
  });

  it('errors a Running step when the poll past its timeout finds it still running', async () => {
    const { result, attempts } = await runPromotion([step('wait', { retry: { timeout: '1s' } })], {
      wait: () => ({ status: 'Running', retryAfter: '1500ms' }),
    }, 'soft-timeout-expired');
    expect(attempts.get('wait')).toBe(2);
    expect(result.phase).toBe('Errored');
    expect(result.steps[0]!.message).toBe('step timed out after 1s');
  });

  it('errors a step as timed out when a retryable error comes after its timeout, naming the error', async () => {
    const { result, attempts } = await runPromotion([step('flaky', { retry: { timeout: '500ms', errorThreshold: 5 } })], {
      flaky: (_call, n) => {
        throw retryable(`remote unreachable (attempt ${n})`);
      },
    }, 'soft-timeout-after-errors');
    // The second attempt comes after the first backoff (1s), past the 500ms timeout.
    expect(attempts.get('flaky')).toBe(2);
    expect(result.phase).toBe('Errored');
    expect(result.steps[0]!.message).toBe('step timed out after 500ms; last error: remote unreachable (attempt 2)');
    expect(result.steps[0]!.errorCount).toBe(2);
  });

  it('ignores a failing continueOnError step for the phase', async () => {
    const { result } = await runPromotion([step('optional', { continueOnError: true }), step('main')], {
      optional: () => {
        throw stepFailed('optional check failed');
      },
    });
    expect(result.steps.map((s) => s.status)).toEqual(['Failed', 'Succeeded']);
    expect(result.phase).toBe('Succeeded');
  });

  it('starts its steps again in a new workspace when the worker holding the first one is lost', async () => {
    const { result, calls, workspaces } = await runPromotion(
      [step('clone'), step('push')],
      { clone: () => ({ status: 'Succeeded', output: { commits: { repo: 'abc' } } }) },
      // worker-lost.json is this scenario recorded before heartbeat failover.
      'worker-lost-not-picked-up',
      { firstWorkspaceOnDeadWorker: true },
    );
    expect(workspaces).toEqual(['ws-1', 'ws-2']);
    expect(calls.map((c) => [c.step.alias, c.workspaceKey])).toEqual([
      ['clone', 'ws-2'],
      ['push', 'ws-2'],
    ]);
    expect(result.phase).toBe('Succeeded');
  });

  it('starts its steps again in a new workspace at once when the step stops heartbeating (its worker died mid-step), showing the loss meanwhile', async () => {
    let shownWhileRestarting: unknown;
    const { result, calls, workspaces } = await runPromotion(
      [step('clone'), step('push')],
      {
        clone: async (call) => {
          if (call.workspaceKey === 'ws-1') {
            // The worker "dies": no heartbeat, no answer, until the worker shuts down.
            await new Promise((resolve) => Context.current().cancellationSignal.addEventListener('abort', resolve));
            throw new Error('cancelled');
          }
          const { workflowId } = Context.current().info.workflowExecution!;
          shownWhileRestarting = (await client.workflow.getHandle(workflowId).query(promotionStatusQuery)).steps;
          return { status: 'Succeeded' };
        },
      },
      'worker-lost-heartbeat',
      { heartbeatTimeout: '2s' },
    );
    expect(workspaces).toEqual(['ws-1', 'ws-2']);
    expect(calls.map((c) => [c.step.alias, c.workspaceKey])).toEqual([
      ['clone', 'ws-1'],
      ['clone', 'ws-2'],
      ['push', 'ws-2'],
    ]);
    expect(shownWhileRestarting).toEqual([
      expect.objectContaining({
        alias: 'clone',
        status: 'Running',
        message: 'worker lost (no heartbeat for 2s); restarting the steps on another worker (attempt 2)',
      }),
      expect.objectContaining({ alias: 'push', status: 'Pending' }),
    ]);
    expect(result.phase).toBe('Succeeded');
    // Once the step ran again, the note is gone.
    expect(result.steps.map((s) => [s.status, s.message])).toEqual([
      ['Succeeded', undefined],
      ['Succeeded', undefined],
    ]);
  });

  it('starts its steps again in a new workspace when the workspace is gone from its worker (it started again and cleaned up)', async () => {
    const { result, calls, workspaces } = await runPromotion([step('clone'), step('push')], {
      push: (call) => {
        if (call.workspaceKey === 'ws-1') {
          throw ApplicationFailure.create({ type: 'WorkspaceGone', message: 'workspace "ws-1" is not on this worker', nonRetryable: true });
        }
        return { status: 'Succeeded' };
      },
    }, 'workspace-gone');
    expect(workspaces).toEqual(['ws-1', 'ws-2']);
    expect(calls.map((c) => [c.step.alias, c.workspaceKey])).toEqual([
      ['clone', 'ws-1'],
      ['push', 'ws-1'],
      ['clone', 'ws-2'],
      ['push', 'ws-2'],
    ]);
    expect(result.phase).toBe('Succeeded');
  });

  it('ends Errored, naming the lost worker, once it has started its steps again the most times allowed', async () => {
    const { result, workspaces } = await runPromotion([step('clone'), step('push')], {
      clone: () => {
        throw ApplicationFailure.create({ type: 'WorkspaceGone', message: 'workspace is not on this worker', nonRetryable: true });
      },
    });
    expect(workspaces).toHaveLength(6);
    expect(result.phase).toBe('Errored');
    expect(result.steps.map((s) => s.status)).toEqual(['Errored', 'Pending']);
    expect(result.message).toBe(
      'step "clone" (yaml-update) errored: worker lost (it started again and its workspace is gone); the promotion already started its steps again 5 times, giving up',
    );
  });

  it('does not retry a step whose config is invalid', async () => {
    const { result, attempts } = await runPromotion([step('bad', { retry: { errorThreshold: 5 } })], {
      bad: () => {
        throw ApplicationFailure.create({ type: 'InvalidStepConfig', message: 'config.path: required', nonRetryable: true });
      },
    });
    expect(attempts.get('bad')).toBe(1);
    expect(result.phase).toBe('Errored');
    expect(result.message).toContain('config.path: required');
  });
});
