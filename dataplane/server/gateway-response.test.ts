import { once } from "node:events";
import { Agent, createServer, IncomingMessage, request, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayResponse } from "./gateway-response.js";

// After end(), an answer whose last bytes still wait for the client's socket keeps the client idle
// limit armed until they leave: a client that never reads them is dropped, one that reads keeps its
// connection for the next request.

const BIG = Buffer.alloc(16 * 1024 * 1024, "x");
const LIMIT_MS = 300;

let server: Server | undefined;
/** The server's side of each connection, taken when the request arrived. */
const sockets: Socket[] = [];

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  sockets.length = 0;
});

async function answering(clientIdleMs: number): Promise<number> {
  server = createServer({ IncomingMessage, ServerResponse: GatewayResponse }, (req, res) => {
    req.resume();
    sockets.push(req.socket);
    res.clientIdleMs = clientIdleMs;
    res.writeHead(200, { "content-length": BIG.length });
    res.end(BIG);
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Sends one request and never reads the answer. */
function stuck(port: number) {
  const socket = connect(port, "127.0.0.1");
  socket.pause();
  socket.write("GET / HTTP/1.1\r\nhost: x\r\n\r\n");
  return socket;
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("GatewayResponse.end", () => {
  it("drops a client that never reads the answer's last bytes", async () => {
    const client = stuck(await answering(LIMIT_MS));
    await settle(LIMIT_MS * 4);
    expect(sockets[0]?.destroyed).toBe(true);
    client.destroy();
  });

  it("arms nothing without a limit", async () => {
    const client = stuck(await answering(0));
    await settle(LIMIT_MS * 4);
    expect(sockets[0]?.destroyed).toBe(false);
    client.destroy();
  });

  it("leaves a reading client's connection open for its next request", async () => {
    const port = await answering(LIMIT_MS);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = async () => {
      const req = request({ port, host: "127.0.0.1", agent });
      req.end();
      const [res] = (await once(req, "response")) as [IncomingMessage];
      let bytes = 0;
      for await (const chunk of res) bytes += (chunk as Buffer).length;
      return { bytes, reused: req.reusedSocket };
    };
    expect(await get()).toEqual({ bytes: BIG.length, reused: false });
    // Longer than the limit: only the keep-alive timeout applies to an idle connection.
    await settle(LIMIT_MS * 3);
    expect(await get()).toEqual({ bytes: BIG.length, reused: true });
    agent.destroy();
  });
});
