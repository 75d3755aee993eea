/**
 * Writing server-sent events (text/event-stream), for the api's streams: the project's state
 * changes (routes/stream-project.ts) and its lifecycle events (routes/stream-events.ts).
 */
import type { Response } from 'express';

/** A comment line every this often keeps proxies and load balancers from closing a quiet stream. */
export const STREAM_KEEP_ALIVE_MS = 15_000;

/** Writes one event (`id:`, `event:`, `data:` as JSON), sending the stream's headers first if not yet sent. */
export function writeServerSentEvent(res: Response, event: { id: string; event: string; data: unknown }): void {
  if (!res.headersSent) startStream(res);
  res.write(`id: ${event.id}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`);
}

/** Sends the headers now (a stream with nothing to say yet still answers 200). */
export function startStream(res: Response): void {
  if (res.headersSent) return;
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

/** Writes a keep-alive comment every `intervalMs` until the client goes; then `onClose`. */
export function keepStreamAlive(res: Response, intervalMs: number | undefined, onClose: () => void): void {
  let open = true;
  const keepAlive = setInterval(() => {
    if (open) res.write(': keep-alive\n\n');
  }, intervalMs ?? STREAM_KEEP_ALIVE_MS);
  keepAlive.unref();
  res.on('close', () => {
    open = false;
    clearInterval(keepAlive);
    onClose();
  });
}
