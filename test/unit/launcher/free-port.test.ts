/**
 * freePort (launcher/free-port.ts) picks ports the kernel will not hand to another process's
 * listen(0) or outgoing connection: outside the ephemeral range, where there is room.
 */
import { createServer } from 'node:net';
import { ephemeralRange, freePort, portsOutside } from '../../../launcher/free-port.js';

describe('freePort', () => {
  it('reads the kernel ephemeral range; unreadable or inverted text gives none', () => {
    expect(ephemeralRange('32768\t60999\n')).toEqual([32768, 60999]);
    expect(ephemeralRange('61000 32768')).toBeUndefined();
    expect(ephemeralRange('not a range')).toBeUndefined();
  });

  it('picks from the unprivileged ports on either side of the ephemeral range', () => {
    expect(portsOutside([32768, 60999])).toEqual([
      [1024, 32767],
      [61000, 65535],
    ]);
    expect(portsOutside([1024, 65535])).toEqual([]);
  });

  it('gives a port outside the ephemeral range that a server can listen on', async () => {
    const range = ephemeralRange();
    const port = await freePort();
    if (range && portsOutside(range).reduce((n, [a, b]) => n + b - a + 1, 0) >= 1000) {
      expect(port < range[0] || port > range[1]).toBe(true);
    }
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.on('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
