/**
 * Fault: queries to a workflow while a workflow task of it is in flight. The server holds them
 * until the task is done, at most `history.MaxBufferedQueryCount` of them (Temporal's default: 1),
 * and refuses the others at once with RESOURCE_EXHAUSTED "consistent query buffer is full", which
 * the Temporal client sends again only ~1.7 s later. Here the workflow task is held by the test
 * itself (it polls the task queue and answers as a worker would), so the window is as long as the
 * test wants:
 * - a stock server refuses the second and third query (the refusal this is about);
 * - the api's connection (api/temporal-retry.ts) sends a refused query again within tens of
 *   milliseconds, and each gets its answer once the task is done;
 * - the embedded server (launcher/embedded-temporal.ts DYNAMIC_CONFIG) holds all three, refusing none.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, defaultPayloadConverter, type GrpcRetryOptions } from '@temporalio/client';
import proto from '@temporalio/proto';
import { apiGrpcInterceptors, apiGrpcRetryOptions, isQueryBufferFull } from '../../api/temporal-retry.js';
import { BUFFERED_QUERY_LIMIT, startEmbeddedTemporal, type EmbeddedTemporal } from '../../launcher/embedded-temporal.js';
import { freePort } from '../../launcher/free-port.js';
import { resolveTemporalTool } from '../../launcher/temporal-binary.js';
import { Disposer } from '../support/git-repos.js';

/** Temporal's default (service/history/configs), stated so that the test keeps it. */
const TEMPORAL_BUFFERED_QUERY_LIMIT = 1;
const NAMESPACE = 'default';
const QUERIES = 3;

const { TaskQueueKind, QueryResultType } = proto.temporal.api.enums.v1;

const disposer = new Disposer();

afterAll(async () => {
  await disposer.dispose();
}, 60_000);

async function server(dynamicConfig?: Record<string, number>): Promise<EmbeddedTemporal> {
  const started = await startEmbeddedTemporal({
    binary: process.env.TEMPORAL_CLI_PATH ?? resolveTemporalTool('temporal'),
    port: await freePort(),
    ...(dynamicConfig ? { dynamicConfig } : {}),
  });
  disposer.add(() => started.stop());
  return started;
}

async function connect(address: string, interceptors: ReturnType<typeof apiGrpcInterceptors>): Promise<Connection> {
  const connection = await Connection.connect({ address, interceptors });
  disposer.add(() => connection.close());
  return connection;
}

/** What each query got: its answer, or the refusal's gRPC code and message. */
type QueryOutcome = { answer: string } | { code: number; details: string };

/**
 * Starts a workflow no worker runs, takes its first workflow task (now in flight), sends QUERIES
 * queries through `queries` at once, and once `holdMs` has passed completes the task and answers
 * every query task that comes, as a worker would, until every query has settled.
 */
async function queriesDuringATask(admin: Connection, queries: Connection, holdMs: number): Promise<QueryOutcome[]> {
  const taskQueue = `query-buffer-${randomUUID()}`;
  const workflowId = `query-buffer-${randomUUID()}`;
  const service = admin.workflowService;
  await new Client({ connection: admin, namespace: NAMESPACE }).workflow.start('heldByTheTest', { taskQueue, workflowId, args: [] });
  // A long poll needs a deadline; the server answers an empty one after a minute.
  const poll = () =>
    admin.withDeadline(Date.now() + 70_000, () =>
      service.pollWorkflowTaskQueue({ namespace: NAMESPACE, taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL }, identity: 'test' }),
    );
  const task = await poll();
  expect(task.taskToken?.length).toBeGreaterThan(0);

  const handle = new Client({ connection: queries, namespace: NAMESPACE }).workflow.getHandle(workflowId);
  const outcomes = Promise.all(
    Array.from({ length: QUERIES }, () =>
      handle
        .query<string>('state')
        .then(
          (answer): QueryOutcome => ({ answer }),
          (err: { cause?: { code?: number; details?: string }; code?: number; details?: string }): QueryOutcome => {
            const status = err.cause ?? err;
            return { code: status.code ?? -1, details: status.details ?? String(err) };
          },
        ),
    ),
  );
  let allSettled = false;
  void outcomes.then(() => (allSettled = true));

  await new Promise((resolve) => setTimeout(resolve, holdMs));
  await service.respondWorkflowTaskCompleted({ namespace: NAMESPACE, taskToken: task.taskToken, commands: [], identity: 'test' });
  // Queries held or sent once the task is done come as query tasks of their own.
  while (!allSettled) {
    const queryTask = await Promise.race([poll().catch(() => undefined), outcomes.then(() => undefined)]);
    if (!queryTask?.taskToken?.length || !queryTask.query) continue;
    await service.respondQueryTaskCompleted({
      namespace: NAMESPACE,
      taskToken: queryTask.taskToken,
      completedType: QueryResultType.QUERY_RESULT_TYPE_ANSWERED,
      queryResult: { payloads: [defaultPayloadConverter.toPayload('the answer')] },
    });
  }
  return outcomes;
}

describe(`${QUERIES} queries at once to a workflow whose workflow task is in flight`, () => {
  let stock: EmbeddedTemporal;

  beforeAll(async () => {
    stock = await server({ 'history.MaxBufferedQueryCount': TEMPORAL_BUFFERED_QUERY_LIMIT });
  }, 120_000);

  it(`a stock server (holds ${TEMPORAL_BUFFERED_QUERY_LIMIT}) refuses the others: "consistent query buffer is full"`, async () => {
    const admin = await connect(stock.address, []);
    const outcomes = await queriesDuringATask(admin, admin, 500);

    const refused = outcomes.filter((o): o is { code: number; details: string } => 'code' in o);
    expect(refused).toHaveLength(QUERIES - TEMPORAL_BUFFERED_QUERY_LIMIT);
    for (const r of refused) expect(isQueryBufferFull(r)).toBe(true);
    expect(outcomes.filter((o) => 'answer' in o)).toEqual([{ answer: 'the answer' }]);
  }, 60_000);

  it('through the api connection: each refused query is sent again within tens of milliseconds and gets its answer', async () => {
    const admin = await connect(stock.address, []);
    const delays: { details: string; ms: number }[] = [];
    const options = apiGrpcRetryOptions();
    const recording: GrpcRetryOptions = {
      retryableDecider: options.retryableDecider,
      delayFunction: (attempt, status) => {
        const ms = options.delayFunction(attempt, status);
        delays.push({ details: status.details, ms });
        return ms;
      },
    };
    const api = await connect(stock.address, apiGrpcInterceptors(recording));

    const outcomes = await queriesDuringATask(admin, api, 500);

    expect(outcomes).toEqual(Array.from({ length: QUERIES }, () => ({ answer: 'the answer' })));
    // The refusal came, and each time the query went again after a short wait, not the client's ~1.7 s.
    expect(delays.length).toBeGreaterThan(0);
    for (const d of delays) {
      expect(d.details).toMatch(/consistent query buffer is full/);
      expect(d.ms).toBeLessThan(1000);
    }
  }, 60_000);

  it(`the embedded server (holds ${BUFFERED_QUERY_LIMIT}) refuses none: each gets its answer once the task is done`, async () => {
    const embedded = await server();
    const admin = await connect(embedded.address, []);

    const outcomes = await queriesDuringATask(admin, admin, 500);

    expect(outcomes).toEqual(Array.from({ length: QUERIES }, () => ({ answer: 'the answer' })));
  }, 120_000);
});
