import { connect, createServer, type Server, type Socket } from "node:net";

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Closing either side closes the other (until silenced). */
  tie(): void;
  untie(): void;
}

/**
 * Forwards TCP on a local port to a target, so a test can break the path the way networks do: cut()
 * refuses and drops every connection until restore(); silence() makes the connections open now carry
 * nothing, not even one side's closing, as when a peer is gone without a FIN or a RST. New ones pass.
 */
export class TcpRelay {
  private server: Server | undefined;
  private readonly pairs = new Set<Pair>();
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
      const drop = () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      const forget = () => this.pairs.delete(pair);
      const pair: Pair = {
        client,
        upstream,
        tie: () => {
          for (const socket of [client, upstream]) socket.on("close", drop).on("error", drop);
        },
        untie: () => {
          for (const socket of [client, upstream]) {
            socket.off("close", drop).off("error", drop);
            socket.on("close", forget).on("error", () => {});
          }
        },
      };
      this.pairs.add(pair);
      pair.tie();
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  silence(): void {
    for (const pair of this.pairs) {
      pair.untie();
      pair.client.unpipe(pair.upstream);
      pair.upstream.unpipe(pair.client);
      pair.client.pause();
      pair.upstream.pause();
    }
  }
}
