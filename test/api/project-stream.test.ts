/**
 * The project's event stream on the real dev server (GET /api/v1/projects/:project/stream): a
 * promotion's changes arrive as events, a subscriber resumes with Last-Event-ID (or gets a reset
 * for a token the api cannot serve), many subscribers share one watcher, access is checked as for
 * reads, the headers keep proxies from buffering, and shutdown ends every stream. Also
 * `shunt get promotions --watch` printing a promotion as it happens.
 */
import { createServer, type Server } from 'node:http';
import { jest } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createApp } from '../../api/app.js';
import { enforcedAccess, openAccess, type AccessControl } from '../../api/auth/index.js';
import { ProjectStreams } from '../../api/project-streams.js';
import { TemporalBackend } from '../../api/temporal-backend.js';
import { parseEventStream, type ServerSentEvent } from '../../cli/event-stream.js';
import { run as runCli } from '../../cli/index.js';
import { aStage, yamlOf } from '../support/manifests.js';
import { freightManifest, projectAndWarehouse, startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';
import { uniqueName } from '../support/temporal.js';
import { eventually } from '../support/poll.js';
import { PROJECT_TOKENS, projectAuthConfig } from './project-fixtures.js';

const namespace = 'reads';
let harness: WorkflowHarness;
let backend: TemporalBackend;

interface Api {
  url: string;
  streams: ProjectStreams;
  close(): Promise<void>;
}

async function startApi(access: AccessControl = openAccess()): Promise<Api> {
  const streams = new ProjectStreams(backend, { namespace }, { pollMs: 100, lingerMs: 60_000 });
  const server: Server = createServer(
    createApp({ backend, access, namespace, streams, streamOptions: { keepAliveMs: 200 }, logger: pino({ level: 'warn' }) }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    streams,
    close: async () => {
      streams.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

let api: Api;

beforeAll(async () => {
  harness = await startWorkflowHarness({ namespace, activities: { runStep: async () => ({ status: 'Succeeded' }) } });
  backend = new TemporalBackend({ connection: harness.connection, namespace });
  api = await startApi();
});

afterAll(async () => {
  await api?.close();
  await harness?.stop();
});


async function aProject(name = uniqueName('stream')): Promise<string> {
  const content = [projectAndWarehouse(name), yamlOf(aStage('dev', { project: name, steps: [{ uses: 'git-clone' }] })), freightManifest(name, '1.0.0', 'first')].join('\n---\n');
  const response = await fetch(`${api.url}/apply`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ files: [{ name: 'p.yaml', content }] }) });
  expect(response.status).toBe(200);
  return name;
}

async function promote(project: string): Promise<string> {
  const response = await fetch(`${api.url}/projects/${project}/promotions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stage: 'dev', freight: 'first' }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { metadata: { name: string } }).metadata.name;
}

/** An open stream: every event it got so far, and a way to wait for one. */
interface Subscription {
  response: Response;
  events: (ServerSentEvent & { json: any })[];
  until(what: string, test: (e: ServerSentEvent & { json: any }) => boolean): Promise<ServerSentEvent & { json: any }>;
  ended: Promise<void>;
  close(): void;
}

async function subscribe(url: string, project: string, headers: Record<string, string> = {}): Promise<Subscription> {
  const abort = new AbortController();
  const response = await fetch(`${url}/projects/${project}/stream`, { headers, signal: abort.signal });
  expect(response.status).toBe(200);
  const events: Subscription['events'] = [];
  const ended = (async () => {
    try {
      for await (const e of parseEventStream(response.body!)) events.push({ ...e, json: JSON.parse(e.data) });
    } catch {
      // aborted by close()
    }
  })();
  return {
    response,
    events,
    ended,
    until: (what, test) => eventually(async () => events.find(test), what, 60_000),
    close: () => abort.abort(),
  };
}

describe('the project event stream', () => {
  it('starts with a reset of everything, then a promotion arrives as added and changed events', async () => {
    const project = await aProject();
    const sub = await subscribe(api.url, project);
    try {
      expect(sub.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(sub.response.headers.get('cache-control')).toBe('no-cache, no-transform');
      expect(sub.response.headers.get('x-accel-buffering')).toBe('no');
      const reset = await sub.until('a reset', (e) => e.event === 'reset');
      expect(sub.events[0]).toBe(reset);
      expect(reset.id).toMatch(/^[0-9a-f]{8}-\d+$/);
      expect(reset.json.stages.map((s: any) => s.metadata.name)).toEqual(['dev']);
      expect(reset.json.freight.map((f: any) => f.alias)).toEqual(['first']);
      expect(reset.json.promotions).toEqual([]);
      expect(reset.json.verifications).toEqual([]);

      const name = await promote(project);
      await sub.until('the promotion added', (e) => e.event === 'added' && e.json.kind === 'Promotion' && e.json.name === name);
      const done = await sub.until('the promotion succeeded', (e) => e.json.kind === 'Promotion' && e.json.object?.status?.phase === 'Succeeded');
      expect(done.json.object.spec).toEqual({ stage: 'dev', freight: expect.any(String) });
      await sub.until('dev holding the freight', (e) => e.event === 'changed' && e.json.kind === 'Stage' && e.json.object.status.freightSummary !== '0/1 Fulfilled');
      await sub.until('the freight in dev', (e) => e.event === 'changed' && e.json.kind === 'Freight' && e.json.object.status.currentlyIn.dev !== undefined);
      // Ids grow one by one: the resume token orders the events.
      const seqs = sub.events.map((e) => Number(e.id!.split('-')[1]));
      expect(seqs.slice(1)).toEqual(seqs.slice(1).map((_, i) => seqs[1]! + i));
    } finally {
      sub.close();
    }
  });

  it('resumes with Last-Event-ID: what was missed, exactly; a token it cannot serve gets a reset', async () => {
    const project = await aProject();
    const witness = await subscribe(api.url, project);
    const first = await subscribe(api.url, project);
    try {
      const resetId = (await first.until('a reset', (e) => e.event === 'reset')).id!;
      first.close();
      const name = await promote(project);
      await witness.until('the promotion succeeded', (e) => e.json.name === name && e.json.object?.status?.phase === 'Succeeded');
      const missed = witness.events.filter((e) => e.event !== 'reset');

      const resumed = await subscribe(api.url, project, { 'last-event-id': resetId });
      try {
        await eventually(async () => (resumed.events.length >= missed.length ? true : undefined), 'the missed events');
        expect(resumed.events.slice(0, missed.length).map((e) => [e.id, e.event, e.data])).toEqual(missed.map((e) => [e.id, e.event, e.data]));
      } finally {
        resumed.close();
      }

      for (const token of ['00000000-3', 'not-a-token', `${resetId.split('-')[0]}-999999`]) {
        const fresh = await subscribe(api.url, project, { 'last-event-id': token });
        try {
          const e = await fresh.until('the first event', () => true);
          expect(e.event).toBe('reset');
          expect(e.json.promotions.map((p: any) => p.metadata.name)).toEqual([name]);
        } finally {
          fresh.close();
        }
      }
    } finally {
      witness.close();
    }
  });

  it('feeds every subscriber of a project from one watcher, whose reads do not grow with them', async () => {
    const project = await aProject();
    const subs = await Promise.all(Array.from({ length: 5 }, () => subscribe(api.url, project)));
    try {
      await Promise.all(subs.map((s) => s.until('a reset', (e) => e.event === 'reset')));
      expect(api.streams.stats(project)).toEqual({ watchers: 1, subscribers: 5 });
      const revisions = jest.spyOn(backend, 'getProjectRevision');
      try {
        await new Promise((r) => setTimeout(r, 1000));
        const calls = revisions.mock.calls.filter(([p]) => p === project).length;
        // One small read per poll (at most one per 100 ms here), not one per subscriber and poll.
        expect(calls).toBeGreaterThan(0);
        expect(calls).toBeLessThanOrEqual(11);
      } finally {
        revisions.mockRestore();
      }
      const name = await promote(project);
      await Promise.all(subs.map((s) => s.until('the promotion', (e) => e.json.name === name)));
    } finally {
      for (const s of subs) s.close();
    }
  });

  it('reads an idle project\'s whole state only once its revision moves', async () => {
    const project = await aProject();
    const sub = await subscribe(api.url, project);
    const wholeReads = jest.spyOn(backend, 'getProject');
    const revisions = jest.spyOn(backend, 'getProjectRevision');
    const count = (spy: typeof wholeReads | typeof revisions): number => spy.mock.calls.filter(([p]) => p === project).length;
    try {
      await sub.until('a reset', (e) => e.event === 'reset');
      const idleFrom = count(revisions);
      await eventually(async () => (count(revisions) >= idleFrom + 5 ? true : undefined), 'five polls of the idle project');
      expect(count(wholeReads)).toBe(0);

      const name = await promote(project);
      await sub.until('the promotion succeeded', (e) => e.json.name === name && e.json.object?.status?.phase === 'Succeeded');
      await sub.until('dev holding the freight', (e) => e.event === 'changed' && e.json.kind === 'Stage' && e.json.object.status.freightSummary !== '0/1 Fulfilled');
      const afterWrites = count(wholeReads);
      expect(afterWrites).toBeGreaterThan(0);
      // Each whole read names the revision it must reflect.
      expect(wholeReads.mock.calls.filter(([p]) => p === project).every(([, revision]) => typeof revision === 'string')).toBe(true);

      // Idle again: polls go on, whole reads do not (the promotion's last changes may still land first).
      await eventually(async () => {
        const before = { whole: count(wholeReads), revisions: count(revisions) };
        await eventually(async () => (count(revisions) >= before.revisions + 5 ? true : undefined), 'five more polls');
        return count(wholeReads) === before.whole ? true : undefined;
      }, 'five polls without a whole read');
    } finally {
      wholeReads.mockRestore();
      revisions.mockRestore();
      sub.close();
    }
  });

  it('answers an unknown project 404 before any event, and sends keep-alive comments', async () => {
    const missing = await fetch(`${api.url}/projects/${uniqueName('none')}/stream`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/);

    const project = await aProject();
    const abort = new AbortController();
    const response = await fetch(`${api.url}/projects/${project}/stream`, { signal: abort.signal });
    const reader = response.body!.getReader();
    let text = '';
    try {
      await eventually(async () => {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
        return text.includes(': keep-alive\n\n') ? true : undefined;
      }, 'a keep-alive comment');
    } finally {
      abort.abort();
    }
  });

  it('refuses another project’s viewer exactly as reads do, and lets a viewer subscribe', async () => {
    const secured = await startApi(enforcedAccess(projectAuthConfig()));
    try {
      for (const project of ['proja', 'projb']) await aProject(project).catch(() => undefined);
      const viewer = { authorization: `Bearer ${PROJECT_TOKENS.viewerA}` };
      const read = await fetch(`${secured.url}/projects/projb/stages`, { headers: viewer });
      const stream = await fetch(`${secured.url}/projects/projb/stream`, { headers: viewer });
      expect([403, 404]).toContain(read.status);
      expect(stream.status).toBe(read.status);
      expect(await stream.json()).toEqual(await read.json());
      expect((await fetch(`${secured.url}/projects/proja/stream`)).status).toBe(401);

      const allowed = await subscribe(secured.url, 'proja', viewer);
      try {
        expect((await allowed.until('a reset', (e) => e.event === 'reset')).json.stages.length).toBeGreaterThan(0);
      } finally {
        allowed.close();
      }
    } finally {
      await secured.close();
    }
  });

  it('ends every stream when the server shuts down', async () => {
    const other = await startApi();
    const project = await aProject();
    const sub = await subscribe(other.url, project);
    await sub.until('a reset', (e) => e.event === 'reset');
    other.streams.close();
    await sub.ended; // the response ended: the server can close
    expect(other.streams.stats()).toEqual({ watchers: 0, subscribers: 0 });
    await other.close();
  });
});

describe('shunt get --watch', () => {
  it('prints the promotions there are, then a promotion as it is added and succeeds, until stopped', async () => {
    const project = await aProject();
    const out: string[] = [];
    const err: string[] = [];
    const abort = new AbortController();
    const server = api.url.replace(/\/api\/v1$/, '');
    const watching = runCli(['get', 'promotions', '--project', project, '--watch', '--server', server], {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      signal: abort.signal,
      env: {},
    });
    await eventually(async () => (err.join('').includes(`No promotions in project ${project} yet; watching.`) ? true : undefined), 'the watch started');
    const name = await promote(project);
    // A promotion of stub steps can end between two reads of the stream's watcher: then it is
    // first seen Succeeded, in its ADDED line.
    await eventually(async () => (out.join('').match(new RegExp(`^(ADDED|CHANGED) +${name.replace(/\./g, '\\.')} .*Succeeded`, 'm')) ? true : undefined), () => `the promotion succeeded in:\n${out.join('')}`, 60_000);
    abort.abort();
    expect(await watching).toBe(0);
    const lines = out.join('').split('\n');
    expect(lines[0]).toMatch(/^EVENT +NAME/);
    expect(lines.some((l) => l.startsWith('ADDED') && l.includes(name))).toBe(true);

    const refused = await runCli(['get', 'warehouses', '--project', project, '--watch', '--server', server], { stdout: () => undefined, stderr: (t) => err.push(t), env: {} });
    expect(refused).toBe(1);
    expect(err.join('')).toContain('--watch follows stages, freight, promotions or events, not warehouses');
  });
});
