import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { createServer, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPaidTenant } from "./support/accounting.js";
import { type Stack, startStack, waitFor } from "./support/stack.js";

// A client that never reads a huge stream must not make the gateway buffer it: the relay pauses the
// upstream when the client's socket is full, so what the upstream manages to send stays bounded and
// the gateway's own response buffer stays small. With a short client idle timeout the stuck client
// is dropped, and the upstream request with it.

const OFFERED = 512 * 1024 * 1024;
const EVENT = `event: content_block_delta\ndata: ${JSON.stringify({
  type: "content_block_delta",
  index: 0,
  delta: { type: "text_delta", text: "x".repeat(16 * 1024) },
})}\n\n`;

/** A provider that streams as fast as its socket takes it, up to OFFERED bytes. */
class FloodUpstream {
  server: Server;
  sent = 0;
  closed = 0;
  constructor() {
    this.server = createServer((req, res) => {
      req.resume();
      res.on("close", () => this.closed++);
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(
        `event: message_start\ndata: ${JSON.stringify({
          type: "message_start",
          message: {
            id: "m",
            type: "message",
            role: "assistant",
            model: "claude-sonnet-4-5",
            content: [],
            usage: { input_tokens: 5, output_tokens: 0 },
          },
        })}\n\n`,
      );
      const pump = () => {
        while (this.sent < OFFERED && !res.destroyed) {
          this.sent += EVENT.length;
          if (!res.write(EVENT)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

/** A provider that opens a stream, goes quiet for QUIET_MS (thinking), then finishes it. */
const QUIET_MS = 2_500;
function quietUpstream(): Server {
  return createServer((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(
      `event: message_start\ndata: ${JSON.stringify({
        type: "message_start",
        message: { id: "m", type: "message", role: "assistant", model: "claude-sonnet-4-5", content: [] },
      })}\n\n`,
    );
    setTimeout(() => {
      res.end(
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"done"}}\n\n' +
          'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":5,"output_tokens":1}}\n\n' +
          'event: message_stop\ndata: {"type":"message_stop"}\n\n',
      );
    }, QUIET_MS);
  });
}

let stack: Stack;
let upstream: FloodUpstream;
let quiet: Server;
let quietUrl: string;
let secret: string;
const responses: ServerResponse[] = [];
const onRequest = (message: unknown) => responses.push((message as { response: ServerResponse }).response);

beforeAll(async () => {
  upstream = new FloodUpstream();
  const upstreamUrl = await upstream.listen();
  quiet = quietUpstream();
  await new Promise<void>((resolve) => quiet.listen(0, "127.0.0.1", resolve));
  quietUrl = `http://127.0.0.1:${(quiet.address() as AddressInfo).port}`;
  stack = await startStack({ dataPlane: { serverLimits: { clientIdleTimeoutMs: 1_500 } } });
  ({ secret } = await createPaidTenant(stack.admin, upstreamUrl));
  await waitFor(() => stack.dp.config.current.keysByHash.size > 0, "the data plane to receive the key");
  subscribe("http.server.request.start", onRequest);
});

afterAll(async () => {
  unsubscribe("http.server.request.start", onRequest);
  await stack?.close();
  await new Promise((resolve) => upstream?.server.close(resolve));
  await new Promise((resolve) => quiet?.close(resolve));
});

/** Sends a streaming request on a raw socket and never reads the answer. */
function stuckClient(url: string): Socket {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify({
    model: "claude-sonnet-4-5",
    max_tokens: 64,
    stream: true,
    messages: [{ role: "user", content: "flood me" }],
  });
  const socket = connect(Number(port), hostname);
  socket.pause();
  socket.write(
    `POST /v1/messages HTTP/1.1\r\nhost: ${hostname}\r\nx-api-key: ${secret}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  return socket;
}

describe("a client that stops reading", () => {
  it("pauses the upstream instead of buffering, and is dropped after the client idle timeout", async () => {
    const client = stuckClient(stack.dp.url);
    let maxBuffered = 0;
    let lastSent = -1;
    let stableSince = Date.now();
    // Sample until the upstream stops making progress (backpressure reached it) for a second.
    await waitFor(
      () => {
        for (const res of responses)
          if (res.req.url === "/v1/messages") maxBuffered = Math.max(maxBuffered, res.writableLength);
        if (upstream.sent !== lastSent) {
          lastSent = upstream.sent;
          stableSince = Date.now();
        }
        return upstream.sent > 0 && Date.now() - stableSince > 1_000;
      },
      "the upstream to be held back",
      20_000,
    );
    // Kernel socket buffers on loopback hold a few MB; the rest of the 512 MB was never pulled.
    expect(upstream.sent).toBeLessThan(64 * 1024 * 1024);
    expect(maxBuffered).toBeLessThan(512 * 1024);
    // The idle timeout drops the stuck client, which aborts the upstream request.
    await waitFor(() => upstream.closed === 1, "the upstream request to be closed", 15_000);
    const gatewaySide = responses.find((res) => res.req.url === "/v1/messages");
    expect(gatewaySide?.destroyed).toBe(true);
    client.destroy();
  }, 60_000);
});

describe("a client that reads", () => {
  it("is not cut by the client idle timeout while the upstream is quiet for longer", async () => {
    const tenant = await createPaidTenant(stack.admin, quietUrl);
    await waitFor(() => stack.dp.config.current.keysById.has(tenant.keyId), "the data plane to receive the second key");
    const started = Date.now();
    const response = await fetch(`${stack.dp.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": tenant.secret, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "claude-sonnet-4-5",
        max_tokens: 64,
        stream: true,
        messages: [{ role: "user", content: "take your time" }],
      }),
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    // Quiet for longer than the 1.5 s limit, and the whole stream still arrived.
    expect(Date.now() - started).toBeGreaterThanOrEqual(QUIET_MS);
    expect(text).toContain("event: message_stop");
  }, 30_000);
});
