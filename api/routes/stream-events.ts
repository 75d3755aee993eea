import type { RequestHandler } from 'express';
import { listEvents } from '../../core/events/lifecycle.js';
import { renderEvent } from '../../core/events/view.js';
import type { ProjectState } from '../../core/project/state.js';
import type { StreamEvent } from '../project-streams.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { keepStreamAlive, startStream, writeServerSentEvent } from '../server-sent-events.js';

/**
 * GET /api/v1/projects/:project/events/stream: the project's lifecycle events as server-sent
 * events (`event: lifecycle`, `id:` the event's id, `data:` the event as /events lists it),
 * oldest first: the kept ones, then each new one. `Last-Event-ID` (an event id) resumes after
 * it; the ids live in the project workflow, so resuming works across api restarts. When events
 * after it were already dropped from the project's ring, a `dropped` event `{after, oldest}`
 * says so first. `unavailable` `{message}` while the project cannot be read. The stream rides on
 * the project's one watcher (api/project-streams.ts): no extra reads per subscriber.
 */
export function streamEvents({ streams, streamKeepAliveMs }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const header = req.get('last-event-id') ?? '';
    let last = /^\d{1,15}$/.test(header) ? Number(header) : 0;
    let open = true;
    const subscriber = {
      send(event: StreamEvent) {
        if (open && event.event === 'unavailable') writeServerSentEvent(res, event);
      },
      state(state: ProjectState) {
        if (!open) return;
        startStream(res);
        const ring = state.events;
        // An id from the future: the project was made again; start over.
        if (ring && last >= ring.next) last = 0;
        const fresh = listEvents(ring, { since: last }).reverse();
        const oldest = fresh[0];
        if (oldest && last > 0 && oldest.id > last + 1) writeServerSentEvent(res, { id: String(last), event: 'dropped', data: { after: last, oldest: oldest.id } });
        for (const e of fresh) writeServerSentEvent(res, { id: String(e.id), event: 'lifecycle', data: renderEvent(project, e) });
        if (fresh.length) last = fresh[fresh.length - 1]!.id;
      },
      close() {
        if (!open) return;
        open = false;
        res.end();
      },
    };
    // Throws (NotFound, Unavailable) before anything was written: the error handler answers.
    const unsubscribe = await streams.subscribe(project, subscriber);
    startStream(res);
    keepStreamAlive(res, streamKeepAliveMs, () => {
      open = false;
      unsubscribe();
    });
  };
}
