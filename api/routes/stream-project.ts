import type { RequestHandler, Response } from 'express';
import type { StreamEvent } from '../project-streams.js';
import { param } from '../request-context.js';
import type { RouteDeps } from '../route-deps.js';

/** A comment line every this often keeps proxies and load balancers from closing a quiet stream. */
export const STREAM_KEEP_ALIVE_MS = 15_000;

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
        if (!res.headersSent) startStream(res);
        res.write(`id: ${event.id}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`);
      },
      close() {
        if (!open) return;
        open = false;
        res.end();
      },
    };
    // Throws (NotFound, Unavailable) before anything was written: the error handler answers.
    const unsubscribe = await streams.subscribe(project, subscriber, lastEventId === '' ? undefined : lastEventId);
    const keepAlive = setInterval(() => {
      if (open) res.write(': keep-alive\n\n');
    }, streamKeepAliveMs ?? STREAM_KEEP_ALIVE_MS);
    keepAlive.unref();
    res.on('close', () => {
      open = false;
      clearInterval(keepAlive);
      unsubscribe();
    });
  };
}

function startStream(res: Response): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    // no-transform: no proxy may compress (and so buffer) the stream.
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    // nginx buffers proxied answers unless told not to.
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.socket?.setTimeout(0);
}
