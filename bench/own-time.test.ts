import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type PreloadedServer, startPreloaded } from "./preloaded-server.fixture.js";

// A proxy that works 3 ms before calling its upstream and 2 ms after the answer, which takes 50 ms to
// come: its own time must hold the 5 ms on the right sides and leave the 50 ms out, reported apart as
// the upstream wait. Requests that overlap are not anyone's own and must not count.

const PROXY = `
import { request } from "undici";
const spin = (ms) => { const end = performance.now() + ms; while (performance.now() < end); };
async function serve(res) {
  spin(3);
  const answer = await request(process.env.UPSTREAM_URL);
  await answer.body.text();
  spin(2);
  res.end("ok");
}
function handle(req, res) {
  req.resume();
  void serve(res);
}
`;

const LINE =
  /own-time: (\d+) requests served alone; own p50 (\d+) \(p25 \d+, p75 \d+\); before the upstream (\d+), after its answer (\d+); upstream wait (\d+)/g;

let upstream: Server;
let upstreamUrl: string;
let proxy: PreloadedServer | undefined;

beforeAll(async () => {
  upstream = createServer((_req, res) => setTimeout(() => res.end("answer"), 50));
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

afterEach(() => {
  proxy?.stop();
});

const lines = (server: PreloadedServer) =>
  [...server.stderr().matchAll(LINE)].map((match) => match.slice(1).map(Number));

describe("bench/own-time.js", () => {
  it("counts a request's time before and after its upstream, and only requests served alone", async () => {
    const server = await startPreloaded("./bench/own-time.js", PROXY, {
      UPSTREAM_URL: upstreamUrl,
      OWN_TIME_WINDOW: "5",
    });
    proxy = server;
    const get = async () => (await fetch(`http://127.0.0.1:${server.port}/`)).text();
    for (let i = 0; i < 5; i++) await get();
    await expect.poll(() => lines(server).length).toBe(1);
    const [requests, own, before, after, wait] = lines(server)[0] ?? [];
    expect(requests).toBe(5);
    expect(before).toBeGreaterThanOrEqual(3000);
    expect(after).toBeGreaterThanOrEqual(2000);
    expect(own).toBeGreaterThanOrEqual(5000);
    expect(own).toBeLessThan(50_000);
    expect(wait).toBeGreaterThanOrEqual(50_000);
    expect(wait).toBeLessThan(60_000);

    for (let i = 0; i < 5; i++) await Promise.all([get(), get()]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines(server)).toHaveLength(1);
  }, 30_000);
});
