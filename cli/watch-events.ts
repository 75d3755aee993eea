/**
 * `shunt get events --watch`: the project's lifecycle events stream (GET
 * /projects/:project/events/stream). Prints the kept events, then each new one as it happens,
 * one table row (or one document with -o json|yaml) each, until Ctrl-C. A lost connection is
 * resumed after the last event's id, which the api keeps across its restarts.
 */
import type { KargoObject, ShuntClient } from './client.js';
import type { CommandContext } from './context.js';
import { formatDocument, type OutputFormat } from './format.js';
import { renderTable } from './tables.js';
import { followStream } from './watch.js';

export async function watchEvents(
  ctx: CommandContext,
  client: ShuntClient,
  opts: { project: string; output: OutputFormat; signal: AbortSignal },
): Promise<void> {
  let printedHeader = false;
  const print = (event: KargoObject): void => {
    if (opts.output !== 'table') {
      ctx.io.stdout(formatDocument(event, opts.output));
      return;
    }
    const [header, ...rows] = renderTable('events', [event], ctx.io.now()).trimEnd().split('\n');
    if (!printedHeader) ctx.out(header ?? '');
    printedHeader = true;
    for (const row of rows) ctx.out(row);
  };

  await followStream(ctx, client, { project: opts.project, of: 'events', signal: opts.signal }, (e) => {
    const data = JSON.parse(e.data) as Record<string, unknown>;
    if (e.event === 'lifecycle') print(data as unknown as KargoObject);
    else if (e.event === 'dropped') ctx.err(`events after ${String(data['after'])} up to ${String(data['oldest'])} were dropped by the api (it keeps the newest 100)`);
    else if (e.event === 'unavailable') ctx.err(`the project cannot be read just now: ${String(data['message'])}`);
  });
}
