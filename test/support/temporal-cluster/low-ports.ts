import { createServer } from 'node:net';

// Temporal stores membership ports in a smallint column: they must be below 32768, so they are
// taken from a range the kernel never hands out as ephemeral ports (32768 and up on Linux).
const FIRST = 10_000;
const LAST = 32_000;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` distinct TCP ports on 127.0.0.1, below 32768, that were free a moment ago. */
export async function freeLowPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let tries = 0; ports.size < count; tries++) {
    if (tries > 1000) throw new Error(`found only ${ports.size} of ${count} free ports between ${FIRST} and ${LAST}`);
    const port = FIRST + Math.floor(Math.random() * (LAST - FIRST));
    if (!ports.has(port) && (await isFree(port))) ports.add(port);
  }
  return [...ports];
}
