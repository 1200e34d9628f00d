import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * Forwards TCP on a local port to a target, so a test can break the path the way networks do: cut()
 * refuses and drops every connection until restore(); silence() stops forwarding on the connections
 * open now without closing them (a peer gone without a FIN or a RST), while new ones pass.
 */
export class TcpRelay {
  private server: Server | undefined;
  private readonly pairs = new Set<[client: Socket, upstream: Socket]>();
  /** Connections accepted so far. */
  accepted = 0;

  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async restore(): Promise<void> {
    const server = createServer((client) => {
      this.accepted++;
      const upstream = connect(this.target.port, this.target.host);
      const pair: [Socket, Socket] = [client, upstream];
      this.pairs.add(pair);
      const drop = () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      for (const socket of pair) {
        socket.on("close", drop);
        socket.on("error", drop);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  silence(): void {
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }
}
