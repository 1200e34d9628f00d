import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_REPLY, type SimRequest, startUpstreamSim, type UpstreamSim } from "./index.js";

let sim: UpstreamSim;
beforeAll(async () => {
  sim = await startUpstreamSim();
});
afterAll(() => sim.close());

const ANTHROPIC = { path: "/v1/messages", headers: { "anthropic-version": "2023-06-01" } };
const anthropicBody = (stream: boolean) => ({
  model: "claude-sonnet-5-5",
  max_tokens: 64,
  messages: [{ role: "user", content: "hi" }],
  stream,
});

async function call(
  key: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
) {
  return fetch(`${sim.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key, ...headers },
    body: JSON.stringify(body),
    signal,
  });
}

const callAnthropic = (key: string, stream: boolean, headers: Record<string, string> = {}) =>
  call(key, ANTHROPIC.path, anthropicBody(stream), { ...ANTHROPIC.headers, ...headers });

/** Reads a body to its end, or to the error that broke it. */
async function readAll(res: Response): Promise<{ text: string; error: unknown }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, error: null };
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, error };
  }
}

function eventTypes(sse: string): string[] {
  return [...sse.matchAll(/^event: (.+)$/gm)].map((m) => m[1] as string);
}

function logged(key: string): SimRequest[] {
  return sim.requests().filter((r) => r.credential === key);
}

async function settled(key: string): Promise<SimRequest> {
  for (let i = 0; i < 100; i++) {
    const entry = logged(key).at(-1);
    if (entry && entry.outcome !== "pending") return entry;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`request of ${key} never settled`);
}

describe("scripted fault steps", () => {
  it("sends any status with the given body and headers, then behaves normally", async () => {
    sim.script("f-status", [{ kind: "status", status: 418, body: { teapot: true }, headers: { "x-why": "scripted" } }]);
    const first = await callAnthropic("f-status", false);
    expect(first.status).toBe(418);
    expect(first.headers.get("x-why")).toBe("scripted");
    expect(await first.json()).toEqual({ teapot: true });
    const second = await callAnthropic("f-status", false);
    expect(second.status).toBe(200);
    expect(logged("f-status").map((r) => [r.status, r.fault?.kind ?? null])).toEqual([
      [418, "status"],
      [200, null],
    ]);
  });

  it("wraps a status without a body in the provider's envelope", async () => {
    sim.script("f-envelope", [{ kind: "status", status: 500 }]);
    const res = await call("f-envelope", "/v1beta/models/gemini-2.5-flash:generateContent", { contents: [] });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 500, message: "Internal Server Error", status: "INTERNAL" } });
  });

  it("applies a step `times` times and keeps other accounts unaffected", async () => {
    sim.script("f-times", [{ kind: "overloaded", times: 2 }]);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await callAnthropic("f-times", false)).status);
    expect(statuses).toEqual([529, 529, 200]);
    expect((await callAnthropic("f-times-other", false)).status).toBe(200);
  });

  it("sends 529 overloaded in the Anthropic envelope", async () => {
    sim.script("f-529", [{ kind: "overloaded" }]);
    const res = await callAnthropic("f-529", true);
    expect(res.status).toBe(529);
    expect(await res.json()).toEqual({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
  });

  it("sends 429 with Anthropic's reset headers by default", async () => {
    sim.script("f-429-anth", [{ kind: "rate-limit", resetSeconds: 42 }]);
    const before = Math.floor(Date.now() / 1000);
    const res = await callAnthropic("f-429-anth", false);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("42");
    const reset = Number(res.headers.get("anthropic-ratelimit-unified-reset"));
    expect(reset).toBeGreaterThanOrEqual(before + 42);
    expect(reset).toBeLessThanOrEqual(before + 44);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
  });

  it("sends 429 with OpenAI's resets_at / resets_in_seconds by default", async () => {
    sim.script("f-429-oai", [{ kind: "rate-limit", resetSeconds: 90 }]);
    const res = await call("f-429-oai", "/v1/responses", { model: "gpt-5", input: "hi" });
    const body = (await res.json()) as { error: { resets_at: number; resets_in_seconds: number } };
    expect(res.status).toBe(429);
    expect(body.error.resets_in_seconds).toBe(90);
    expect(body.error.resets_at - Date.now() / 1000).toBeGreaterThan(85);
  });

  it("sends 429 with Gemini's retryDelay and message by default, and quotaResetDelay on request", async () => {
    sim.script("f-429-gem", [
      { kind: "rate-limit", resetSeconds: 12.5 },
      { kind: "rate-limit", resetSeconds: 3723, hints: ["gemini-quota-reset-delay"] },
    ]);
    const path = "/antigravity/v1beta/models/gemini-3-pro:generateContent";
    const first = (await (await call("f-429-gem", path, { contents: [] })).json()) as {
      error: Record<string, unknown>;
    };
    expect(first.error).toMatchObject({
      code: 429,
      status: "RESOURCE_EXHAUSTED",
      message: expect.stringMatching(/Please retry in 12\.5s\.$/),
      details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "12.5s" }],
    });
    const second = (await (await call("f-429-gem", path, { contents: [] })).json()) as {
      error: Record<string, unknown>;
    };
    expect(second.error.details).toMatchObject([{ metadata: { quotaResetDelay: "1h2m3s" } }]);
  });

  it("sends Google's 400 invalid project resource name", async () => {
    sim.script("f-project", [{ kind: "invalid-project" }]);
    const res = await call("f-project", "/antigravity/v1beta/models/gemini-3-pro:streamGenerateContent?alt=sse", {
      contents: [],
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 400, message: "Invalid project resource name projects/", status: "INVALID_ARGUMENT" },
    });
  });

  it("sends a 200 stream with no events", async () => {
    sim.script("f-empty", [{ kind: "empty-stream" }]);
    const res = await callAnthropic("f-empty", true);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(await readAll(res)).toEqual({ text: "", error: null });
  });

  it("cuts a stream after N events by destroying the socket", async () => {
    sim.script("f-cut", [{ kind: "cut-stream", afterEvents: 2 }]);
    const res = await callAnthropic("f-cut", true);
    expect(res.status).toBe(200);
    const { text, error } = await readAll(res);
    expect(eventTypes(text)).toEqual(["message_start", "ping"]);
    expect(error).toBeInstanceOf(Error);
    expect(await settled("f-cut")).toMatchObject({ status: 200, outcome: "cut", fault: { kind: "cut-stream" } });
  });

  it("cuts a stream before its first event, after the headers", async () => {
    sim.script("f-cut-0", [{ kind: "cut-stream", afterEvents: 0 }]);
    const res = await call("f-cut-0", "/v1/responses", { model: "gpt-5", input: "hi", stream: true });
    expect(res.status).toBe(200);
    const { text, error } = await readAll(res);
    expect(text).toBe("");
    expect(error).toBeInstanceOf(Error);
  });

  it("cuts a JSON body halfway", async () => {
    sim.script("f-cut-json", [{ kind: "cut-stream", afterEvents: 0 }]);
    const res = await callAnthropic("f-cut-json", false);
    const { text, error } = await readAll(res);
    expect(error).toBeInstanceOf(Error);
    expect(text.startsWith('{"id":"msg_')).toBe(true);
  });

  it("sends an overloaded_error event first in a 200 Anthropic stream", async () => {
    sim.script("f-error-event", [{ kind: "stream-error" }]);
    const res = await callAnthropic("f-error-event", true);
    expect(res.status).toBe(200);
    const { text, error } = await readAll(res);
    expect(error).toBeNull();
    expect(text).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    );
  });

  it("sends a stream error after N events in other protocols' forms", async () => {
    sim.script("f-error-late", [{ kind: "stream-error", afterEvents: 2 }, { kind: "stream-error" }]);
    const chat = await call("f-error-late", "/v1/chat/completions", { model: "gpt-5", messages: [], stream: true });
    const chatText = (await readAll(chat)).text;
    expect(chatText.split("\n\n").filter(Boolean)).toHaveLength(3);
    expect(chatText).toContain('data: {"error":{"message":"The server is overloaded.');
    const gemini = await call("f-error-late", "/v1beta/models/m:streamGenerateContent?alt=sse", { contents: [] });
    expect((await readAll(gemini)).text).toMatch(/^data: \{"error":\{"code":503,.*"status":"UNAVAILABLE"\}\}\r\n\r\n$/);
  });

  it("answers a non-streamed request under stream-error with a plain 529", async () => {
    sim.script("f-error-json", [{ kind: "stream-error" }]);
    expect((await callAnthropic("f-error-json", false)).status).toBe(529);
  });

  it("replies with a fixed text, overriding JSON mode", async () => {
    sim.script("f-reply", [{ kind: "reply", text: "Scripted answer." }]);
    const res = await call("f-reply", "/v1beta/models/m:generateContent", {
      contents: [],
      generationConfig: { responseMimeType: "application/json", responseSchema: { type: "OBJECT" } },
    });
    const body = (await res.json()) as { candidates: { content: { parts: { text: string }[] } }[] };
    expect(body.candidates[0]?.content.parts[0]?.text).toBe("Scripted answer.");
    const next = (await (
      await call("f-reply", "/v1beta/models/m:generateContent", { contents: [] })
    ).json()) as typeof body;
    expect(next.candidates[0]?.content.parts[0]?.text).toBe(DEFAULT_REPLY);
  });

  it("waits before the response headers", async () => {
    sim.script("f-delay", [{ kind: "reply", delayMs: 150 }]);
    const started = performance.now();
    const res = await callAnthropic("f-delay", false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(200);
  });

  it("spaces streamed chunks by the per-chunk delay (reply step)", async () => {
    sim.script("f-chunks", [{ kind: "reply", text: "tick.", chunks: 4, chunkDelayMs: 40 }]);
    const started = performance.now();
    const { text } = await readAll(await callAnthropic("f-chunks", true));
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 40 - 10);
    expect(text.match(/text_delta/g)).toHaveLength(4);
  });

  it("streams N chunks M ms apart when asked by x-sim-* headers", async () => {
    const started = performance.now();
    const res = await call(
      "f-headers",
      "/v1/chat/completions",
      { model: "gpt-5", messages: [], stream: true },
      { "x-sim-chunks": "5", "x-sim-chunk-delay-ms": "20" },
    );
    const { text } = await readAll(res);
    expect(performance.now() - started).toBeGreaterThanOrEqual(4 * 20 - 10);
    const contents = [...text.matchAll(/"delta":\{"content":("[^"]*")/g)].map((m) => JSON.parse(m[1] as string));
    expect(contents).toEqual([DEFAULT_REPLY, ...Array(4).fill(` ${DEFAULT_REPLY}`)]);
  });

  it("hangs until the client aborts", async () => {
    sim.script("f-hang", [{ kind: "hang" }]);
    const controller = new AbortController();
    const aborted = call("f-hang", ANTHROPIC.path, anthropicBody(true), ANTHROPIC.headers, controller.signal).catch(
      (error: unknown) => error,
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(logged("f-hang").at(-1)).toMatchObject({ status: null, outcome: "pending" });
    controller.abort();
    expect(await aborted).toMatchObject({ name: "AbortError" });
    expect(await settled("f-hang")).toMatchObject({ status: null, outcome: "aborted", fault: { kind: "hang" } });
  });
});

describe("closing the simulator", () => {
  it("ends hanging requests instead of waiting for them", async () => {
    const own = await startUpstreamSim();
    own.script("close-hang", [{ kind: "hang" }]);
    const res = fetch(`${own.url}/v1/models`, { headers: { authorization: "Bearer close-hang" } }).catch(
      (error: unknown) => error,
    );
    while (own.requests().length === 0) await new Promise((r) => setTimeout(r, 5));
    await own.close();
    expect(await res).toBeInstanceOf(Error);
  });
});

describe("requests without a usable credential or body", () => {
  const cases: [string, string, unknown][] = [
    ["/v1/messages", "anthropic", { type: "error", error: { type: "authentication_error" } }],
    ["/v1/chat/completions", "openai", { error: { type: "invalid_request_error", code: "invalid_api_key" } }],
    ["/v1beta/models/m:generateContent", "gemini", { error: { code: 401, status: "UNAUTHENTICATED" } }],
  ];
  it.each(cases)("%s without a credential gets 401 in the %s envelope", async (path, _protocol, envelope) => {
    const res = await fetch(`${sim.url}${path}`, { method: "POST", body: "{}" });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject(envelope as object);
  });

  it("rejects a body that is not JSON with 400 in the provider's envelope", async () => {
    const res = await fetch(`${sim.url}/v1/messages`, { method: "POST", headers: { "x-api-key": "k" }, body: "{oops" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it("answers HEAD / at once without a credential", async () => {
    const res = await fetch(`${sim.url}/`, { method: "HEAD" });
    expect(res.status).toBe(200);
  });

  it("answers a WebSocket upgrade on GET /v1/responses with 404", async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest(`${sim.url}/v1/responses`, {
        headers: { connection: "Upgrade", upgrade: "websocket", authorization: "Bearer ws-key" },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on("upgrade", () => reject(new Error("upgraded")));
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(404);
    expect(logged("ws-key").at(-1)).toMatchObject({ operation: "websocket", status: 404 });
  });
});

describe("the request log", () => {
  it("records what was received and what was sent", async () => {
    const before = performance.timeOrigin + performance.now();
    await call("log-key", "/v1/messages?beta=true", anthropicBody(true), {
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "claude-code-20250219,unknown-beta",
      "x-extra": "kept",
    }).then(readAll);
    const entry = await settled("log-key");
    expect(entry.time).toBeGreaterThanOrEqual(before);
    expect(entry).toMatchObject({
      method: "POST",
      path: "/v1/messages",
      query: { beta: "true" },
      credential: "log-key",
      credentialSource: "x-api-key",
      account: "log-key",
      body: anthropicBody(true),
      bodyBytes: JSON.stringify(anthropicBody(true)).length,
      protocol: "anthropic",
      operation: "messages",
      antigravity: false,
      model: "claude-sonnet-5-5",
      stream: true,
      status: 200,
      fault: null,
      outcome: "complete",
    });
    expect(entry.headers).toMatchObject({ "x-extra": "kept", "anthropic-beta": "claude-code-20250219,unknown-beta" });
    expect(entry.headers.authorization).toBeUndefined();
  });

  it("scripts by account: a linked credential shares its account's queue", async () => {
    sim.linkCredential("link-second", "link-first");
    sim.script("link-first", [{ kind: "overloaded" }]);
    expect((await callAnthropic("link-second", false)).status).toBe(529);
    expect(logged("link-second").at(-1)).toMatchObject({ account: "link-first" });
  });

  it("keeps at most logLimit entries, oldest dropped", async () => {
    const small = await startUpstreamSim({ logLimit: 2 });
    try {
      for (const key of ["a", "b", "c"]) {
        await fetch(`${small.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      }
      expect(small.requests().map((r) => r.credential)).toEqual(["b", "c"]);
      small.clearRequests();
      expect(small.requests()).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it("refuses an invalid script from code", () => {
    expect(() => sim.script("bad", [{ kind: "cut-stream" } as never])).toThrow(/afterEvents is required/);
  });
});
