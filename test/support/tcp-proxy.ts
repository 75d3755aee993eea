/**
 * A TCP proxy on 127.0.0.1 in front of a real server (the Temporal frontend, in the fault
 * tests) that a test can take down and bring back: while down, open connections are reset and
 * new ones are reset as soon as they arrive, as when the server's host is gone.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private isDown = false;
  private port = 0;

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  /** `host:port` of a Temporal-style address. */
  static to(address: string): TcpProxy {
    const i = address.lastIndexOf(':');
    return new TcpProxy(address.slice(0, i), Number(address.slice(i + 1)));
  }

  async start(): Promise<string> {
    const server = createServer((client) => {
      if (this.isDown) {
        client.resetAndDestroy();
        return;
      }
      const upstream = connect(this.upstreamPort, this.upstreamHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.address;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  down(): void {
    this.isDown = true;
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
  }

  up(): void {
    this.isDown = false;
  }

  async stop(): Promise<void> {
    this.down();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
