// Follows a project's event stream (GET /projects/:project/stream). Read with fetch, not
// EventSource: EventSource cannot send the Authorization header a token needs. So this resumes a
// lost stream itself, after a growing pause (0.5 s doubling to 8 s), with the last event's id
// (Last-Event-ID); the server answers what was missed, or a `reset` when it cannot tell.
import { API, authHeaders, seg } from './api.js';

const FIRST_PAUSE_MS = 500;
const LONGEST_PAUSE_MS = 8000;

/** Parses one `\n\n`-terminated block of an event stream; undefined for a comment or keep-alive. */
export function parseEvent(block) {
  let id = '';
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { id, event, data: JSON.parse(data.join('\n')) } : undefined;
}

/**
 * Calls `onEvent(event)` for each event and `onState(state)` with `live`, `reconnecting` or
 * `signed-out` (a 401: the stream stops). Returns a function that stops following.
 */
export function followProject(project, { onEvent, onState }) {
  const abort = new AbortController();
  const { signal } = abort;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  void (async () => {
    let lastId = '';
    let pause = FIRST_PAUSE_MS;
    while (!signal.aborted) {
      try {
        const headers = { accept: 'text/event-stream', ...authHeaders() };
        if (lastId) headers['last-event-id'] = lastId;
        const res = await fetch(`${API}/projects/${seg(project)}/stream`, { headers, signal });
        if (res.status === 401) {
          onState('signed-out');
          return;
        }
        if (res.ok && res.body) {
          pause = FIRST_PAUSE_MS; // the server answers again
          onState('live');
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value.replace(/\r\n?/g, '\n');
            for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
              const event = parseEvent(buffer.slice(0, end));
              buffer = buffer.slice(end + 2);
              if (!event) continue;
              if (event.id) lastId = event.id;
              if (!signal.aborted) onEvent(event);
            }
          }
        }
      } catch {
        if (signal.aborted) return;
      }
      if (signal.aborted) return;
      onState('reconnecting');
      await sleep(pause);
      pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
    }
  })();
  return () => abort.abort();
}
