import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../test/support/wait-for.js";
import { startUpstreamSim, type UpstreamSim } from "../upstream-sim/index.js";
import { type Child, childEnv, startChild, tsArgs } from "./child.js";

// The floor is what every proxy figure is measured against: both of its upstream clients (the undici
// pool of contender floor, node:http's Agent of floor-agent) must forward answers whole, streamed and
// not, end the upstream stream when the client leaves, and say when the upstream cannot be reached.

let sim: UpstreamSim;
let logDir: string;
const floors: Child[] = [];

beforeAll(async () => {
  sim = await startUpstreamSim({ quiet: true });
  logDir = await mkdtemp(join(tmpdir(), "tollgate-floor-"));
});

afterAll(async () => {
  for (const floor of floors) await floor.stop();
  await sim?.close();
  if (logDir) await rm(logDir, { recursive: true, force: true });
});

async function startFloor(upstream: string, extra: string[]): Promise<string> {
  const child = await startChild({
    name: `floor-${floors.length}`,
    logDir,
    env: childEnv({}),
    args: tsArgs("bench/floor-proxy.ts", ["--upstream", upstream, ...extra]),
    ready: /floor proxy on (\S+)/,
  });
  floors.push(child);
  return child.ready[1] as string;
}

describe.each([
  ["an undici pool", []],
  ["node:http's keep-alive Agent", ["--agent"]],
])("the floor proxy on %s", (_name, extra) => {
  let url: string;
  beforeAll(async () => {
    url = await startFloor(sim.url, extra);
  });

  const client = () => new Anthropic({ baseURL: url, apiKey: "sk-sim-floor", maxRetries: 0 });
  const request = { model: "claude-sonnet-4-5", max_tokens: 32, messages: [{ role: "user" as const, content: "hi" }] };

  it("forwards a whole answer", async () => {
    const answer = await client().messages.create(request);
    expect(answer.content[0]?.type).toBe("text");
    expect(answer.usage.output_tokens).toBeGreaterThan(0);
  });

  it("forwards a stream to its last event", async () => {
    const events: string[] = [];
    for await (const event of await client().messages.create({ ...request, stream: true })) events.push(event.type);
    expect(events[0]).toBe("message_start");
    expect(events.at(-1)).toBe("message_stop");
  });

  it("ends the upstream stream when the client leaves", async () => {
    const credential = `sk-sim-floor-leaves-${extra.length}`;
    sim.script(credential, [{ kind: "reply", chunks: 100, chunkDelayMs: 100 }]);
    const leaving = new AbortController();
    // A connection of its own, closed after: with fetch's shared one left open, stopping the floor
    // (server.close on SIGTERM) waited out its 15 s grace.
    const dispatcher = new Agent();
    try {
      const answer = await fetch(`${url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": credential, "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ ...request, stream: true }),
        signal: leaving.signal,
        dispatcher,
      } as RequestInit);
      await answer.body?.getReader().read();
      leaving.abort();
      const upstream = () => sim.requests().find((r) => r.credential === credential);
      await waitFor(() => upstream()?.outcome === "aborted", "the upstream stream to be cut off");
    } finally {
      await dispatcher.destroy();
    }
  });
});

describe.each([[[]], [["--agent"]]])("the floor proxy %j without an upstream", (extra) => {
  it("answers 502", async () => {
    const url = await startFloor("http://127.0.0.1:1", extra);
    const answer = await fetch(`${url}/v1/messages`, { method: "POST", body: "{}" });
    expect(answer.status).toBe(502);
    expect(await answer.text()).toBe("upstream unreachable");
  });
});
