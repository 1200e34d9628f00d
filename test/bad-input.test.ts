import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { MODEL } from "./support/accounting.js";
import { createTenant, type Stack, startStack, waitFor } from "./support/stack.js";

// A corpus of bad and hostile input sent over HTTP to a running data plane, on every surface: broken
// and odd JSON, wrong types, hostile session identifiers, oversized headers, and request targets
// that try to steer the upstream host (absolute URLs, `//host`, `..`, `%2F`, `@`, Host headers). Every
// answer is below 500 and, when it is an error, in the surface's own envelope; a canary server no
// upstream URL points at gets nothing, and the simulated provider sees only its own Host.

type Envelope = "anthropic" | "openai" | "gemini";
interface Answer {
  status: number;
  body: string;
}

let stack: Stack;
let canary: Server;
let canaryHits = 0;
let canaryHost: string;
const secrets = new Map<Platform, string>();

beforeAll(async () => {
  canary = createServer((_req, res) => {
    canaryHits++;
    res.end("canary");
  });
  await new Promise<void>((resolve) => canary.listen(0, "127.0.0.1", resolve));
  canaryHost = `127.0.0.1:${(canary.address() as AddressInfo).port}`;
  stack = await startStack();
  for (const platform of [Platform.ANTHROPIC, Platform.OPENAI, Platform.GEMINI, Platform.ANTIGRAVITY]) {
    secrets.set(platform, (await createTenant(stack, { platform })).secret);
  }
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => canary?.close(resolve));
});

/** A raw HTTP/1.1 request: the path goes on the wire exactly as given. */
function send(method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<Answer> {
  const { hostname, port } = new URL(stack.dp.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers, setHost: !("host" in headers) }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (chunk: Buffer) => parts.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function expectEnvelope(answer: Answer, envelope: Envelope, label: string): void {
  expect(answer.status, `${label}: ${answer.body.slice(0, 200)}`).toBeLessThan(500);
  if (answer.status < 400) return;
  const parsed = JSON.parse(answer.body) as Record<string, unknown>;
  const error = parsed.error as Record<string, unknown>;
  if (envelope === "anthropic") {
    expect(parsed.type, label).toBe("error");
    expect(typeof error.type, label).toBe("string");
  } else if (envelope === "openai") {
    expect(typeof error.type, label).toBe("string");
  } else {
    expect(typeof error.status, label).toBe("string");
    expect(typeof error.code, label).toBe("number");
  }
  expect(typeof error.message, label).toBe("string");
}

const BODIES: Array<[string, string | Buffer]> = [
  ["empty", ""],
  ["truncated", '{"model":"m","messages":['],
  ["array", "[]"],
  ["null", "null"],
  ["number", "42"],
  ["string", '"hello"'],
  ["deep nesting", `${"[".repeat(100_000)}${"]".repeat(100_000)}`],
  ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
  ["model object", '{"model":{"x":1},"messages":[],"contents":[],"input":"x"}'],
  ["wrong types", '{"model":"m","stream":"yes","messages":5,"system":7,"contents":"x","input":7}'],
  [
    "odd turns",
    '{"model":"m","max_tokens":8,"messages":[{"role":5,"content":{"a":[]}},null,[1]],"metadata":{"user_id":{"x":1}},"contents":[{"parts":5},7],"input":[null,{"role":{}}]}',
  ],
  ["prototype keys", '{"__proto__":{"polluted":1},"constructor":{"prototype":{}},"model":"m","messages":[]}'],
  [
    "hostile user_id",
    `{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"hi"}],"metadata":{"user_id":"{\\"session_id\\":${"[".repeat(500)}"}}`,
  ],
];

const SURFACES: Array<{
  path: string;
  envelope: Envelope;
  platform: Platform;
  auth: (key: string) => Record<string, string>;
}> = [
  { path: "/v1/messages", envelope: "anthropic", platform: Platform.ANTHROPIC, auth: (k) => ({ "x-api-key": k }) },
  {
    path: "/v1/messages/count_tokens",
    envelope: "anthropic",
    platform: Platform.ANTHROPIC,
    auth: (k) => ({ "x-api-key": k }),
  },
  {
    path: "/v1/chat/completions",
    envelope: "openai",
    platform: Platform.OPENAI,
    auth: (k) => ({ authorization: `Bearer ${k}` }),
  },
  {
    path: "/v1/responses",
    envelope: "openai",
    platform: Platform.OPENAI,
    auth: (k) => ({ authorization: `Bearer ${k}` }),
  },
  {
    path: "/v1beta/models/gemini-2.5-flash:generateContent",
    envelope: "gemini",
    platform: Platform.GEMINI,
    auth: (k) => ({ "x-goog-api-key": k }),
  },
  {
    path: "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
    envelope: "gemini",
    platform: Platform.GEMINI,
    auth: (k) => ({ "x-goog-api-key": k }),
  },
  {
    path: "/antigravity/v1/messages",
    envelope: "anthropic",
    platform: Platform.ANTIGRAVITY,
    auth: (k) => ({ "x-api-key": k }),
  },
  {
    path: "/antigravity/v1beta/models/gemini-2.5-flash:countTokens",
    envelope: "gemini",
    platform: Platform.ANTIGRAVITY,
    auth: (k) => ({ "x-goog-api-key": k }),
  },
];

describe("bad input over HTTP", () => {
  it("answers every bad body on every surface below 500, in the surface's envelope", async () => {
    for (const surface of SURFACES) {
      const key = secrets.get(surface.platform) as string;
      for (const [name, body] of BODIES) {
        const answer = await send(
          "POST",
          surface.path,
          { ...surface.auth(key), "content-type": "application/json" },
          body,
        );
        expectEnvelope(answer, surface.envelope, `${surface.path} ${name}`);
      }
      const unauthenticated = await send("POST", surface.path, { "content-type": "application/json" }, "{}");
      expect(unauthenticated.status).toBe(401);
      expectEnvelope(unauthenticated, surface.envelope, `${surface.path} without a key`);
    }
  }, 60_000);

  it("bills a request whose model name carries a NUL, and every request after it", async () => {
    // PostgreSQL text cannot hold NUL: such a record once failed its usage batch, which the data plane
    // then resent forever ahead of everything later, and billing stopped.
    const tenant = await createTenant(stack);
    const headers = { "x-api-key": tenant.secret, "content-type": "application/json" };
    const ask = (model: string) =>
      JSON.stringify({ model, max_tokens: 8, messages: [{ role: "user", content: "hi" }] });
    expect((await send("POST", "/v1/messages", headers, ask(`${MODEL}\u0000x`))).status).toBe(200);
    expect((await send("POST", "/v1/messages", headers, ask(MODEL))).status).toBe(200);
    const models = async () =>
      (await stack.admin.usage.listUsageLogs({ filter: { apiKeyId: tenant.key.id } })).logs.map((log) => log.model);
    await waitFor(async () => (await models()).length === 2, "both requests' usage");
    expect((await models()).sort()).toEqual([MODEL, `${MODEL}\uFFFDx`]);
  });

  it("survives hostile headers", async () => {
    const key = secrets.get(Platform.ANTHROPIC) as string;
    const body = '{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}';
    const cases: Array<[string, Record<string, string>]> = [
      ["long session id", { "x-api-key": key, "x-claude-code-session-id": "s".repeat(8_000) }],
      ["odd user agent", { "x-api-key": key, "user-agent": "claude-cli/\u00ff\u00e9".repeat(50), "x-app": "cli" }],
      ["bearer garbage", { authorization: "Bearer \t\t", "x-api-key": "" }],
      ["two keys", { authorization: `Bearer ${key}`, "x-api-key": "sk-tg-other" }],
      ["text content type", { "x-api-key": key, "content-type": "text/plain" }],
    ];
    for (const [name, headers] of cases) {
      expectEnvelope(await send("POST", "/v1/messages", headers, body), "anthropic", name);
    }
    // Past TOLLGATE_MAX_HEADER_BYTES node answers 431 itself, before any route.
    const huge = await send("POST", "/v1/messages", { "x-api-key": key, "x-filler": "f".repeat(64 * 1024) }, body);
    expect(huge.status).toBe(431);
  });

  it("never lets the request target or headers choose the upstream host", async () => {
    const anthropic = { "x-api-key": secrets.get(Platform.ANTHROPIC) as string, "content-type": "application/json" };
    const gemini = { "x-goog-api-key": secrets.get(Platform.GEMINI) as string, "content-type": "application/json" };
    const message = '{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}';
    const contents = '{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}';
    const attempts: Array<[string, string, Record<string, string>, string, Envelope]> = [
      ["absolute URL", `http://${canaryHost}/v1/messages`, anthropic, message, "anthropic"],
      ["network-path reference", `//${canaryHost}/v1/messages`, anthropic, message, "anthropic"],
      ["userinfo in the path", `/@${canaryHost}/v1/messages`, anthropic, message, "anthropic"],
      ["dot segments", `/v1/messages/../../${canaryHost}/v1/messages`, anthropic, message, "anthropic"],
      ["fragment", `/v1/messages#@${canaryHost}`, anthropic, message, "anthropic"],
      ["mirror escape", "/antigravity/../v1/messages", anthropic, message, "anthropic"],
      ["query with a host", `/v1/messages?x=@${canaryHost}/&beta=true`, anthropic, message, "anthropic"],
      ["Host header", "/v1/messages", { ...anthropic, host: canaryHost }, message, "anthropic"],
      ["forwarded host", "/v1/messages", { ...anthropic, "x-forwarded-host": canaryHost }, message, "anthropic"],
      [
        "model with %2F and @",
        `/v1beta/models/..%2F..%2F@${canaryHost}%2F:generateContent`,
        gemini,
        contents,
        "gemini",
      ],
      ["model with a URL", `/v1beta/models/http:%2F%2F${canaryHost}:generateContent`, gemini, contents, "gemini"],
      ["model with @", `/v1beta/models/x@${canaryHost}:generateContent`, gemini, contents, "gemini"],
      ["model ..", "/v1beta/models/..:generateContent", gemini, contents, "gemini"],
      ["bad escape", "/v1beta/models/%ZZ:generateContent", gemini, contents, "gemini"],
    ];
    const before = stack.sim.requests().length;
    for (const [name, path, headers, body, envelope] of attempts) {
      expectEnvelope(await send("POST", path, headers, body), envelope, name);
    }
    expect(canaryHits).toBe(0);
    const simHost = new URL(stack.sim.url).host;
    const reached = stack.sim.requests().slice(before);
    expect(reached.length).toBeGreaterThan(0);
    for (const entry of reached) expect(entry.headers.host).toBe(simHost);
  });
});
