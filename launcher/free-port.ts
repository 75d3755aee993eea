import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST_UNPRIVILEGED = 1024;
const HIGHEST_PORT = 65535;
const ATTEMPTS = 50;

/**
 * The kernel's ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range), from which
 * `listen(0)` and outgoing connections take their ports; undefined where it cannot be read.
 */
export function ephemeralRange(text?: string): [number, number] | undefined {
  let raw = text;
  if (raw === undefined) {
    try {
      raw = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    } catch {
      return undefined;
    }
  }
  const [low, high] = raw.trim().split(/\s+/).map(Number);
  if (!Number.isInteger(low) || !Number.isInteger(high) || low! > high!) return undefined;
  return [low!, high!];
}

/**
 * The unprivileged ports outside the ephemeral range, as [first, last] spans. A port picked from
 * them cannot be handed by the kernel to another process's `listen(0)` (the Temporal dev server
 * picks its internal ports that way) or to an outgoing connection between the moment it was
 * found free and the moment its user listens on it.
 */
export function portsOutside(range: [number, number]): [number, number][] {
  const spans: [number, number][] = [];
  if (range[0] > LOWEST_UNPRIVILEGED) spans.push([LOWEST_UNPRIVILEGED, range[0] - 1]);
  if (range[1] < HIGHEST_PORT) spans.push([range[1] + 1, HIGHEST_PORT]);
  return spans;
}

function pick(spans: [number, number][]): number {
  const total = spans.reduce((n, [first, last]) => n + last - first + 1, 0);
  let index = Math.floor(Math.random() * total);
  for (const [first, last] of spans) {
    if (index <= last - first) return first + index;
    index -= last - first + 1;
  }
  return spans[0]![0];
}

function listenOnce(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.on('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, chosen outside the kernel's ephemeral range
 * where there is room (else whatever `listen(0)` gives).
 */
export async function freePort(): Promise<number> {
  const range = ephemeralRange();
  const spans = range ? portsOutside(range) : [];
  const room = spans.reduce((n, [first, last]) => n + last - first + 1, 0);
  if (room >= 1000) {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const port = await listenOnce(pick(spans));
      if (port !== undefined) return port;
    }
  }
  const port = await listenOnce(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}
