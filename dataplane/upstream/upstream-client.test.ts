import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Resolver } from "./address-guard.js";
import { UpstreamClient } from "./upstream-client.js";

// The connect-time SSRF guard and redirects, against real loopback servers. The resolver is
// injected (no network here): it answers a public-looking name with a loopback address, the way a
// hostile or re-pointed DNS record would.

let target: Server;
let targetPort: number;
let targetHits = 0;
let redirector: Server;
let redirectorPort: number;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  target = createServer((_req, res) => {
    targetHits++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"ok":true}');
  });
  targetPort = await listen(target);
  redirector = createServer((_req, res) => {
    res.writeHead(302, { location: `http://127.0.0.1:${targetPort}/v1/messages`, "content-type": "text/plain" });
    res.end("moved");
  });
  redirectorPort = await listen(redirector);
});

afterAll(async () => {
  await new Promise((resolve) => target.close(resolve));
  await new Promise((resolve) => redirector.close(resolve));
});

const toLoopback: Resolver = async () => [{ address: "127.0.0.1", family: 4 }];

async function call(client: UpstreamClient, origin: string) {
  const upstream = client.start({ origin, path: "/v1/messages", method: "POST", headers: {}, body: Buffer.from("{}") });
  try {
    const head = await upstream.head;
    const body = await upstream.collect(1024);
    return { status: head.status, location: head.headers.location, body: body.toString() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe("UpstreamClient address guard", () => {
  it("refuses a public-looking name that resolves to loopback, before connecting", async () => {
    const client = new UpstreamClient({ allowPrivate: false, resolver: toLoopback });
    const before = targetHits;
    const result = await call(client, `http://api.upstream.example:${targetPort}`);
    await client.close();
    expect(result).toEqual({
      error: "upstream host api.upstream.example resolves to 127.0.0.1, which is not public",
    });
    expect(targetHits).toBe(before);
  });

  it("refuses a name when any of its addresses is private (one answer of a rebinding pair)", async () => {
    const mixed: Resolver = async () => [
      { address: "2606:4700::1111", family: 6 },
      { address: "169.254.169.254", family: 4 },
    ];
    const client = new UpstreamClient({ allowPrivate: false, resolver: mixed });
    const result = await call(client, `http://api.upstream.example:${targetPort}`);
    await client.close();
    expect(result.error).toContain("169.254.169.254, which is not public");
  });

  it.each([
    [`http://127.0.0.1:PORT`, "upstream address 127.0.0.1 is not public"],
    [`http://[::1]:PORT`, "upstream address ::1 is not public"],
    [`http://localhost:PORT`, "upstream host localhost is not public"],
    [`http://[fd00:ec2::254]:PORT`, "upstream address fd00:ec2::254 is not public"],
    [`http://169.254.169.254:PORT`, "upstream address 169.254.169.254 is not public"],
  ])("refuses the literal %s", async (origin, message) => {
    const client = new UpstreamClient({ allowPrivate: false });
    const before = targetHits;
    const result = await call(client, origin.replace("PORT", String(targetPort)));
    await client.close();
    expect(result).toEqual({ error: message });
    expect(targetHits).toBe(before);
  });

  it("connects through the same resolver when private upstreams are allowed (the guard is what refused)", async () => {
    const client = new UpstreamClient({ allowPrivate: true, resolver: toLoopback });
    const before = targetHits;
    const result = await call(client, `http://api.upstream.example:${targetPort}`);
    await client.close();
    expect(result).toEqual({ status: 200, location: undefined, body: '{"ok":true}' });
    expect(targetHits).toBe(before + 1);
  });

  it("passes a redirect back instead of following it", async () => {
    const client = new UpstreamClient({ allowPrivate: true });
    const before = targetHits;
    const result = await call(client, `http://127.0.0.1:${redirectorPort}`);
    await client.close();
    expect(result).toEqual({ status: 302, location: `http://127.0.0.1:${targetPort}/v1/messages`, body: "moved" });
    expect(targetHits).toBe(before);
  });
});

describe("UpstreamCall head", () => {
  it("is the failure when asked for after the call failed, and nothing is rejected unhandled before", async () => {
    const client = new UpstreamClient({ allowPrivate: false, resolver: toLoopback });
    const upstream = client.start({
      origin: `http://api.upstream.example:${targetPort}`,
      path: "/v1/messages",
      method: "POST",
      headers: {},
    });
    // Let the guard refuse the connection before anyone looks at the head.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(upstream.head).rejects.toThrow("not public");
    await client.close();
  });

  it("is the response head when asked for after the body ended", async () => {
    const client = new UpstreamClient({ allowPrivate: true });
    const upstream = client.start({ origin: `http://127.0.0.1:${targetPort}`, path: "/", method: "GET", headers: {} });
    const body = await upstream.collect(1024);
    expect(body.toString()).toBe('{"ok":true}');
    expect((await upstream.head).status).toBe(200);
    await client.close();
  });
});
