/**
 * Issue 19: the lifecycle events' routes over a hand-written backend whose project state holds
 * events (the project workflow derives them: core/events/lifecycle.ts, test/e2e/notifications.test.ts).
 * GET /events lists them newest first (`limit`, `since` an id or a time; each bad value gets a
 * 400 saying what is expected); GET /events/stream sends the kept ones, then each new one, and
 * resumes after Last-Event-ID, also on another api (the ids live in the project, not the api),
 * saying when events were dropped meanwhile; the dead letters list; `shunt get events` prints
 * them as `kubectl get events` does.
 */
import { recordEvents } from '../../core/events/lifecycle.js';
import { recordDeadLetter } from '../../core/events/notifications.js';
import type { NewEvent } from '../../core/events/types.js';
import type { ProjectState } from '../../core/project/state.js';
import { parseEventStream, type ServerSentEvent } from '../../cli/event-stream.js';
import { eventually } from '../support/poll.js';
import { shunt } from '../support/cli.js';
import { demoBackend, startApi, type RunningApi } from './support.js';
import type { FakeBackend } from './fake-backend.js';

const NOW = new Date('2026-01-03T00:00:00.000Z');
let backend: FakeBackend;
let api: RunningApi;

const created = (name: string): NewEvent => ({
  type: 'Normal',
  reason: 'PromotionCreated',
  message: `Promotion created for Stage "dev" by "email:ann@example.com"`,
  involvedObject: { kind: 'Promotion', name },
  annotations: { 'event.kargo.akuity.io/project': 'demo', 'event.kargo.akuity.io/stage-name': 'dev' },
});
const failed = (name: string): NewEvent => ({ ...created(name), type: 'Warning', reason: 'PromotionFailed', message: 'Promotion Failed: step "push" failed\nsecond line' });

/** Records events in the fake backend's project, as the project workflow would. */
function record(events: NewEvent[], time: string): void {
  recordEvents(backend.projects.get('demo') as ProjectState, events, time);
}

beforeEach(async () => {
  backend = demoBackend();
  record([created('dev.p1'), failed('dev.p1')], '2026-01-01T00:00:00.000Z');
  record([created('dev.p2')], '2026-01-02T00:00:00.000Z');
  api = await startApi({ backend, streamOptions: { pollMs: 20, lingerMs: 0, keepAliveMs: 200 } });
});
afterEach(() => api.close());

const get = async (path: string): Promise<{ status: number; body: any }> => {
  const res = await fetch(`${api.url}/api/v1${path}`);
  return { status: res.status, body: await res.json() };
};

describe('GET /events', () => {
  it("lists the project's lifecycle events newest first, as Kubernetes Events", async () => {
    const { status, body } = await get('/projects/demo/events');
    expect(status).toBe(200);
    expect(body.items.map((e: any) => [e.id, e.reason, e.involvedObject.name])).toEqual([
      [3, 'PromotionCreated', 'dev.p2'],
      [2, 'PromotionFailed', 'dev.p1'],
      [1, 'PromotionCreated', 'dev.p1'],
    ]);
    expect(body.items[1]).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'dev.p1.00000002', namespace: 'demo', creationTimestamp: '2026-01-01T00:00:00.000Z' },
      type: 'Warning',
      involvedObject: { kind: 'Promotion', name: 'dev.p1', namespace: 'demo' },
      annotations: { 'event.kargo.akuity.io/stage-name': 'dev' },
    });
  });

  it('takes limit, and since as an event id or a time', async () => {
    expect((await get('/projects/demo/events?limit=1')).body.items.map((e: any) => e.id)).toEqual([3]);
    expect((await get('/projects/demo/events?since=1')).body.items.map((e: any) => e.id)).toEqual([3, 2]);
    expect((await get('/projects/demo/events?since=2026-01-02T00:00:00Z')).body.items.map((e: any) => e.id)).toEqual([3]);
  });

  it.each([
    ['limit=0', 'limit: must be a whole number from 1 to 1000'],
    ['limit=many', 'limit: must be a whole number from 1 to 1000'],
    ['since=yesterday', 'since: must be an event id (a whole number) or an RFC 3339 time such as 2026-01-02T15:04:05Z'],
    ['since=-1', 'since: must be an event id'],
  ])('answers 400 to %s', async (query, message) => {
    const { status, body } = await get(`/projects/demo/events?${query}`);
    expect(status).toBe(400);
    expect(body.error.message).toContain(message);
  });

  it('answers 404 for an unknown project and an empty list for a project without events', async () => {
    expect((await get('/projects/nope/events')).status).toBe(404);
    delete (backend.projects.get('demo') as ProjectState).events;
    expect((await get('/projects/demo/events')).body.items).toEqual([]);
  });
});

describe('GET /events/stream', () => {
  async function subscribe(url: string, lastEventId?: string) {
    const abort = new AbortController();
    const response = await fetch(`${url}/api/v1/projects/demo/events/stream`, { signal: abort.signal, headers: lastEventId ? { 'last-event-id': lastEventId } : {} });
    const events: (ServerSentEvent & { json: any })[] = [];
    const ended = (async () => {
      try {
        for await (const e of parseEventStream(response.body!)) events.push({ ...e, json: JSON.parse(e.data) });
      } catch {
        // closed
      }
    })();
    return { response, events, close: async () => (abort.abort(), await ended) };
  }

  it('sends the kept events oldest first, then each new one', async () => {
    const sub = await subscribe(api.url);
    expect(sub.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await eventually(async () => (sub.events.length === 3 ? true : undefined), 'the kept events');
    expect(sub.events.map((e) => [e.id, e.event, e.json.reason])).toEqual([
      ['1', 'lifecycle', 'PromotionCreated'],
      ['2', 'lifecycle', 'PromotionFailed'],
      ['3', 'lifecycle', 'PromotionCreated'],
    ]);
    record([failed('dev.p2')], '2026-01-03T00:00:00.000Z');
    await eventually(async () => (sub.events.length === 4 ? true : undefined), 'the new event');
    expect(sub.events[3]).toMatchObject({ id: '4', event: 'lifecycle', json: { reason: 'PromotionFailed', involvedObject: { name: 'dev.p2' } } });
    await sub.close();
  });

  it('resumes after Last-Event-ID on another api (the ids are the project\'s), and says when events were dropped', async () => {
    const other = await startApi({ backend, streamOptions: { pollMs: 20, lingerMs: 0, keepAliveMs: 200 } });
    try {
      const resumed = await subscribe(other.url, '2');
      await eventually(async () => (resumed.events.length === 1 ? true : undefined), 'the event after 2');
      expect(resumed.events.map((e) => e.id)).toEqual(['3']);
      await resumed.close();

      // The project keeps 100: after 150 more, events 4..53 are gone.
      record(Array.from({ length: 150 }, (_, i) => created(`dev.q${i}`)), '2026-01-03T00:00:00.000Z');
      const late = await subscribe(other.url, '3');
      await eventually(async () => (late.events.length === 101 ? true : undefined), 'a dropped notice and the kept events');
      expect(late.events[0]).toMatchObject({ event: 'dropped', json: { after: 3, oldest: 54 } });
      expect(late.events[1]?.id).toBe('54');
      await late.close();
    } finally {
      await other.close();
    }
  });

  it('starts over for an id the project never gave (the project was made again)', async () => {
    const sub = await subscribe(api.url, '999');
    await eventually(async () => (sub.events.length === 3 ? true : undefined), 'the kept events from the first');
    expect(sub.events.map((e) => e.id)).toEqual(['1', '2', '3']);
    await sub.close();
  });

  it('answers 404 for an unknown project before streaming', async () => {
    const res = await fetch(`${api.url}/api/v1/projects/nope/events/stream`);
    expect(res.status).toBe(404);
  });
});

describe('GET /notifications/dead-letters', () => {
  it('lists the dead letters newest first; a bad limit gets a 400', async () => {
    const state = backend.projects.get('demo') as ProjectState;
    for (const eventId of [1, 2]) {
      recordDeadLetter(state, { subscription: 'sink', eventId, eventReason: 'PromotionCreated', endpoint: 'webhook (secret "sink")', attempts: 5, error: 'answered 503', failedAt: '2026-01-02T00:00:00.000Z' });
    }
    expect((await get('/projects/demo/notifications/dead-letters')).body.items.map((l: any) => l.eventId)).toEqual([2, 1]);
    expect((await get('/projects/demo/notifications/dead-letters?limit=1')).body.items.map((l: any) => l.eventId)).toEqual([2]);
    const bad = await get('/projects/demo/notifications/dead-letters?limit=51');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('limit: must be a whole number from 1 to 50');
  });
});

describe('shunt get events', () => {
  it('prints them as kubectl get events does, the first line of each message', async () => {
    const result = await shunt(['get', 'events', '--project', 'demo'], { server: api.url, now: () => NOW });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    expect(lines[1]).toMatch(/^24h\s+Normal\s+PromotionCreated\s+promotion\/dev\.p2\s+Promotion created for Stage "dev" by "email:ann@example.com"$/);
    expect(lines[2]).toMatch(/^2d\s+Warning\s+PromotionFailed\s+promotion\/dev\.p1\s+Promotion Failed: step "push" failed$/);
  });

  it('refuses a name, with and without --watch', async () => {
    for (const argv of [['get', 'events', 'x', '--project', 'demo'], ['get', 'events', 'x', '--project', 'demo', '--watch']]) {
      const result = await shunt(argv, { server: api.url });
      expect(result.stderr).toBe('error: events are listed, not fetched by name: drop the name\n');
    }
  });
});
