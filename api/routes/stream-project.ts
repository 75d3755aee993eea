import type { RequestHandler } from 'express';
import type { StreamEvent } from '../project-streams.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';
import { keepStreamAlive, writeServerSentEvent } from '../server-sent-events.js';

export { STREAM_KEEP_ALIVE_MS } from '../server-sent-events.js';

/**
 * GET /api/v1/projects/:project/stream: server-sent events of the project's stages, freight,
 * promotions and verifications (api/project-streams.ts). The first event is a `reset` with all
 * of them, unless `Last-Event-ID` names an event the api still has: then what came after it.
 * Then `added`, `changed` and `removed` events, each `{kind, name, object}`, and `unavailable`
 * `{message}` while the project cannot be read.
 */
export function streamProject({ streams, streamKeepAliveMs }: RouteDeps): RequestHandler {
  return async (req, res) => {
    const project = param(req, 'project');
    const lastEventId = req.get('last-event-id');
    let open = true;
    const subscriber = {
      send(event: StreamEvent) {
        if (!open) return;
        writeServerSentEvent(res, event);
      },
      close() {
        if (!open) return;
        open = false;
        res.end();
      },
    };
    // Throws (NotFound, Unavailable) before anything was written: the error handler answers.
    const unsubscribe = await streams.subscribe(project, subscriber, lastEventId === '' ? undefined : lastEventId);
    keepStreamAlive(res, streamKeepAliveMs, () => {
      open = false;
      unsubscribe();
    });
  };
}
