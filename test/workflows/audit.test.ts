/**
 * auditWorkflow on the real dev server: entries recorded through the api's TemporalBackend
 * (signal-with-start), listed newest first, bounded in number, carried through
 * continue-as-new, and still there after the worker and the api are replaced.
 */
import { Client, type Connection } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { enforcedAccess } from '../../api/auth/index.js';
import { TemporalBackend } from '../../api/temporal-backend.js';
import type { AuditEvent } from '../../core/audit/event.js';
import { workflowBundlePath } from '../../worker/create-workers.js';
import { WorkerMetrics } from '../../worker/metrics.js';
import { auditEventsQuery, auditWorkflowId, recordAuditSignal, TASK_QUEUE } from '../../workflows/definitions.js';
import { authConfig, bearer, TOKENS } from '../api/auth-fixtures.js';
import { saveHistory } from '../support/histories.js';
import { eventually } from '../support/poll.js';
import { startShuntStack } from '../support/shunt-stack.js';
import { connectClient, connectWorker, uniqueName } from '../support/temporal.js';

const namespace = 'audit';
let connection: Connection;
let nativeConnection: NativeConnection;
let client: Client;
let backend: TemporalBackend;

const anEvent = (id: string, overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  id,
  time: new Date().toISOString(),
  actor: 'alice',
  via: 'token',
  action: 'promote',
  method: 'POST',
  path: '/api/v1/projects/p/promotions',
  target: { stage: 'dev' },
  outcome: 'succeeded',
  status: 201,
  ...overrides,
});

async function withWorker<T>(body: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace,
    taskQueue: TASK_QUEUE,
    ...new WorkerMetrics().workerOptions(),
    workflowBundle: { codePath: workflowBundlePath() },
    activities: {},
  });
  return worker.runUntil(body());
}

beforeAll(async () => {
  connection = await connectClient();
  nativeConnection = await connectWorker();
  client = new Client({ connection, namespace });
  backend = new TemporalBackend({ connection, namespace, readSnapshotMs: 0 });
});

afterAll(async () => {
  await nativeConnection?.close();
  await connection?.close();
});

describe('auditWorkflow', () => {
  it('records entries even while no worker runs, and lists them newest first once one does', async () => {
    const project = uniqueName('p');
    await backend.recordAudit(project, anEvent('r1'));
    await backend.recordAudit(project, anEvent('r2', { action: 'approve' }));
    await backend.recordAudit(project, anEvent('r2', { action: 'approve' })); // the same entry again adds nothing
    const listed = await withWorker(() => eventually(async () => {
      const events = await backend.listAudit(project, { limit: 10 });
      return events.length === 2 ? events : undefined;
    }, 'two audit entries'));
    expect(listed.map((e) => [e.id, e.action])).toEqual([['r2', 'approve'], ['r1', 'promote']]);
    expect(await withWorker(() => backend.listAudit(project, { limit: 1 }))).toHaveLength(1);
    // The workflow filters its whole trail before the limit: the api receives only what passes.
    expect((await withWorker(() => backend.listAudit(project, { action: 'promote', limit: 1 }))).map((e) => e.id)).toEqual(['r1']);
    await saveHistory(client, auditWorkflowId(project), 'audit', 'two-entries');
  });

  it('lists nothing for a project that never had an entry', async () => {
    expect(await backend.listAudit(uniqueName('none'), { limit: 10 })).toEqual([]);
  });

  it('keeps the newest entries up to its bound and carries them through continue-as-new', async () => {
    const workflowId = uniqueName('audit:bounded');
    const handle = await client.workflow.start('auditWorkflow', {
      workflowId,
      taskQueue: TASK_QUEUE,
      args: [{ maxEvents: 5, continueAsNewAfterEvents: 12 }],
    });
    for (let i = 0; i < 20; i++) await handle.signal(recordAuditSignal, anEvent(`e${i}`));
    const events = await withWorker(() =>
      eventually(async () => {
        const described = await client.workflow.getHandle(workflowId).describe();
        if (described.runId === handle.firstExecutionRunId) return undefined; // not continued yet
        const listed = await client.workflow.getHandle(workflowId).query(auditEventsQuery, {});
        return listed[0]?.id === 'e19' ? listed : undefined;
      }, 'the newest entry after continue-as-new'),
    );
    expect(events.map((e) => e.id)).toEqual(['e19', 'e18', 'e17', 'e16', 'e15']);
  });
});

describe('the audit trail of a real stack', () => {
  it('survives replacing the worker and the api', async () => {
    const project = uniqueName('survivor');
    const path = `/api/v1/projects/${project}/promotions`;
    const first = await startShuntStack({ namespace, access: enforcedAccess(authConfig()) });
    try {
      const denied = await fetch(`${first.url}${path}`, {
        method: 'POST',
        headers: { ...bearer(TOKENS.outsider), 'content-type': 'application/json' },
        body: JSON.stringify({ stage: 'prod', freight: 'x' }),
      });
      expect(denied.status).toBe(403);
    } finally {
      await first.stop();
    }
    const second = await startShuntStack({ namespace, access: enforcedAccess(authConfig()) });
    try {
      const res = await fetch(`${second.url}/api/v1/projects/${project}/audit`, { headers: bearer(TOKENS.admin) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: AuditEvent[] };
      expect(body.items).toEqual([
        expect.objectContaining({ actor: 'otto-outsider', action: 'promote', outcome: 'denied', status: 403, target: { stage: 'prod', freight: 'x' } }),
      ]);
    } finally {
      await second.stop();
    }
  });
});
