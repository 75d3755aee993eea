/**
 * The worker's activity interceptor: each warehouse scan attempt (discoverArtifacts) counted by
 * outcome and timed, each run of a step timed by kind and outcome; other activities untouched.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { WorkerMetrics } from '../../worker/metrics.js';

const value = async (metrics: WorkerMetrics, series: string): Promise<number> => {
  const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
};

function environment(metrics: WorkerMetrics, activityType: string): MockActivityEnvironment {
  const interceptors = metrics.workerOptions().interceptors.activity ?? [];
  return new MockActivityEnvironment({ activityType }, { interceptors });
}

describe('worker activity metrics', () => {
  it('counts warehouse scans and scan errors by project and warehouse, and times them', async () => {
    const metrics = new WorkerMetrics();
    const scan = async (input: { project: string; warehouse: string }): Promise<unknown> => {
      if (input.warehouse === 'broken') throw new Error('registry answered 500');
      return { images: [] };
    };
    await environment(metrics, 'discoverArtifacts').run(scan, { project: 'p', warehouse: 'app' });
    await environment(metrics, 'discoverArtifacts').run(scan, { project: 'p', warehouse: 'app' });
    await expect(environment(metrics, 'discoverArtifacts').run(scan, { project: 'p', warehouse: 'broken' })).rejects.toThrow('registry answered 500');

    expect(await value(metrics, 'shunt_warehouse_scans_total{project="p",warehouse="app",outcome="succeeded"}')).toBe(2);
    expect(await value(metrics, 'shunt_warehouse_scans_total{project="p",warehouse="broken",outcome="failed"}')).toBe(1);
    expect(await value(metrics, 'shunt_warehouse_scan_duration_seconds_count{warehouse="app",outcome="succeeded"}')).toBe(2);
  });

  it('times each run of a step by kind and outcome, and leaves other activities alone', async () => {
    const metrics = new WorkerMetrics();
    const runStep = async (input: { step: { uses: string } }): Promise<unknown> => {
      if (input.step.uses === 'git-push') throw new Error('push refused');
      return { status: input.step.uses === 'argocd-update' ? 'Running' : 'Succeeded' };
    };
    await environment(metrics, 'runStep').run(runStep, { step: { uses: 'git-clone' } });
    await environment(metrics, 'runStep').run(runStep, { step: { uses: 'argocd-update' } });
    await expect(environment(metrics, 'runStep').run(runStep, { step: { uses: 'git-push' } })).rejects.toThrow('push refused');
    await environment(metrics, 'prepareWorkspace').run(async () => ({ workspaceKey: 'w' }));

    expect(await value(metrics, 'shunt_promotion_step_duration_seconds_count{uses="git-clone",outcome="Succeeded"}')).toBe(1);
    expect(await value(metrics, 'shunt_promotion_step_duration_seconds_count{uses="argocd-update",outcome="Running"}')).toBe(1);
    expect(await value(metrics, 'shunt_promotion_step_duration_seconds_count{uses="git-push",outcome="Errored"}')).toBe(1);
    expect((await metrics.registry.metrics()).match(/_count\{/g)).toHaveLength(3);
  });
});
