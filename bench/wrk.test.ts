import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { luaString, parseWrkOutput, runWrk, wrkScript } from "./wrk.js";

describe("luaString", () => {
  it.each([
    ["plain", '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["a\\b\nc", '"a\\\\b\\nc"'],
  ])("%j", (input, expected) => {
    expect(luaString(input)).toBe(expected);
  });
});

describe("wrkScript", () => {
  const base = { method: "POST" as const, headers: { "x-api-key": "k" }, bodyFile: "/tmp/b.json" };

  it("sets method, headers and body, and reports one JSON line", () => {
    const script = wrkScript(base);
    expect(script).toContain('wrk.method = "POST"');
    expect(script).toContain('wrk.headers["x-api-key"] = "k"');
    expect(script).toContain('io.open("/tmp/b.json", "rb")');
    expect(script).toContain("function done(");
    expect(script).not.toContain("function delay(");
    expect(script).not.toContain("function request(");
  });
});

describe("runWrk", () => {
  let server: Server;
  let url = "";
  let workDir = "";
  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), "tollgate-wrk-"));
    writeFileSync(join(workDir, "body.json"), "{}");
    // Every answer takes 10 ms: a pause per connection would stretch each connection's cycle by it.
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => setTimeout(() => res.end("ok"), 10));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(workDir, { recursive: true, force: true });
  });

  it("sends a new session id on every request when asked", async () => {
    const seen: string[] = [];
    const recorder = await startRecorder((req) => seen.push(String(req.headers["x-claude-code-session-id"])));
    try {
      const run = {
        url: recorder.url,
        method: "POST" as const,
        headers: {},
        bodyFile: join(workDir, "body.json"),
        connections: 2,
        durationSec: 1,
        ratePerSec: 200,
        newSessions: { header: "x-claude-code-session-id", prefix: "run-1" },
      };
      const result = await runWrk(run, workDir);
      expect(result.requests).toBeGreaterThan(10);
      expect(seen.length).toBeGreaterThanOrEqual(result.requests);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.every((id) => /^run-1-\d+$/.test(id))).toBe(true);
    } finally {
      await recorder.close();
    }
  });

  it("sends the headers in one order, the run's own, on every run", async () => {
    const orders = new Set<string>();
    const recorder = await startRecorder((req) => orders.add(req.rawHeaders.filter((_, i) => i % 2 === 0).join(",")));
    try {
      const run = {
        url: recorder.url,
        method: "POST" as const,
        // wrk's own format wrote these in an order that changed from one wrk process to the next.
        headers: {
          "x-api-key": "k",
          "anthropic-version": "2023-06-01",
          "content-type": "application/json",
          "x-b": "b",
        },
        bodyFile: join(workDir, "body.json"),
        connections: 1,
        durationSec: 1,
        ratePerSec: 50,
      };
      await runWrk(run, workDir);
      await runWrk({ ...run, newSessions: { header: "x-session", prefix: "s" } }, workDir);
      expect([...orders]).toEqual([
        "Host,x-api-key,anthropic-version,content-type,x-b,Content-Length",
        "Host,x-api-key,anthropic-version,content-type,x-b,x-session,Content-Length",
      ]);
    } finally {
      await recorder.close();
    }
  });

  it("holds the asked rate however long each answer takes", async () => {
    const run = { url, method: "POST" as const, headers: {}, bodyFile: join(workDir, "body.json"), connections: 10 };
    const paced = await runWrk({ ...run, durationSec: 3, ratePerSec: 400 }, workDir);
    // 400 req/s with 10 ms answers; pausing 25 ms per connection instead would send 10 / 35 ms = 286.
    expect(paced.requests / paced.durationSec).toBeGreaterThan(360);
    expect(paced.requests / paced.durationSec).toBeLessThan(440);
    // The answer's 10 ms are in the latency. libuv counts timers in whole milliseconds from the time
    // cached at the loop's turn, so a 10 ms timer can fire up to 1 ms early on an idle machine.
    expect(paced.latencyUs.p50).toBeGreaterThanOrEqual(9_000);
    expect(paced.errors).toBe(0);
  });
});

/** A server answering "ok" to every request, each shown to `record` first. */
async function startRecorder(record: (req: IncomingMessage) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    record(req);
    req.resume();
    req.on("end", () => res.end("ok"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("parseWrkOutput", () => {
  it("reads the result line among wrk's own output", () => {
    const out = [
      "Running 1s test @ http://127.0.0.1:1/v1/messages",
      'WRK_RESULT {"requests":500,"durationUs":1000000,"errors":2,"p50":310,"p90":400,"p99":900,"max":1500,"mean":330.5}',
    ].join("\n");
    expect(parseWrkOutput(out)).toEqual({
      requests: 500,
      durationSec: 1,
      errors: 2,
      latencyUs: { p50: 310, p90: 400, p99: 900, max: 1500, mean: 330.5 },
    });
  });

  it("fails when wrk printed no result", () => {
    expect(() => parseWrkOutput("unable to connect")).toThrow(/no result line/);
  });
});
