import { request as httpRequest } from "node:http";
import { ApiError, GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { createTenant, type Stack, startStack, type Tenant } from "./support/stack.js";

// What clients of the OpenAI and Gemini surfaces see when something is wrong: errors in their own
// envelope with our stable code, a broken upstream stream that ends as a failure (never a clean end),
// and their gateway key kept from the upstream.

let stack: Stack;
let openaiTenant: Tenant;
let geminiTenant: Tenant;
let openai: OpenAI;
let genai: GoogleGenAI;

beforeAll(async () => {
  stack = await startStack();
  openaiTenant = await createTenant(stack, { platform: Platform.OPENAI });
  geminiTenant = await createTenant(stack, { platform: Platform.GEMINI });
  openai = new OpenAI({ apiKey: openaiTenant.secret, baseURL: `${stack.dp.url}/v1`, maxRetries: 0 });
  genai = new GoogleGenAI({ apiKey: geminiTenant.secret, httpOptions: { baseUrl: stack.dp.url } });
});

afterAll(async () => {
  await stack?.close();
});

async function post(path: string, body: unknown, headers: Record<string, string>) {
  const res = await fetch(`${stack.dp.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function openaiError(code: string, type: string) {
  return { error: { message: expect.any(String), type, param: null, code } };
}

function geminiError(httpCode: number, status: string, reason: string) {
  return {
    error: {
      code: httpCode,
      message: expect.any(String),
      status,
      details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason, domain: "tollgate" }],
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error,
  );
}

describe("errors in the caller's envelope", () => {
  it.each([
    ["a model that is not a string", { model: 5, messages: [] }, "model: a model name is required"],
    [
      "a stream flag that is not a boolean",
      { model: "gpt-5", messages: [], stream: "yes" },
      "stream: must be a boolean",
    ],
    ["no messages", { model: "gpt-5" }, "messages: must be an array"],
  ])("chat completions: %s -> the SDK's BadRequestError with code INVALID_REQUEST", async (_name, body, message) => {
    const error = await rejection(openai.chat.completions.create(body as never));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: "INVALID_REQUEST", type: "invalid_request_error" });
    expect((error as Error).message).toContain(message);
  });

  it("responses: a wrong key -> the SDK's AuthenticationError with code INVALID_API_KEY", async () => {
    const client = new OpenAI({ apiKey: "tg-not-a-key", baseURL: `${stack.dp.url}/v1`, maxRetries: 0 });
    const error = await rejection(client.responses.create({ model: "gpt-5", input: "hi" }));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: "INVALID_API_KEY" });
  });

  it("gemini: a wrong key -> the SDK's ApiError 401, and the envelope carries INVALID_API_KEY", async () => {
    const client = new GoogleGenAI({ apiKey: "tg-not-a-key", httpOptions: { baseUrl: stack.dp.url } });
    const error = await rejection(client.models.generateContent({ model: "gemini-2.5-flash", contents: "hi" }));
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect((error as ApiError).message).toContain('"reason":"INVALID_API_KEY"');
  });

  it.each([
    ["no contents", { systemInstruction: { parts: [] } }, 400, "INVALID_ARGUMENT", "INVALID_REQUEST"],
    ["malformed JSON", "{", 400, "INVALID_ARGUMENT", "INVALID_REQUEST"],
  ])("gemini: %s -> %i %s", async (_name, body, httpCode, status, reason) => {
    const res = await post("/v1beta/models/gemini-2.5-flash:generateContent", body, {
      "x-goog-api-key": geminiTenant.secret,
    });
    expect(res).toEqual({ status: httpCode, body: geminiError(httpCode, status, reason) });
  });

  it("every answer to a proxied request names its request id: refused, passed through, served, streamed", async () => {
    const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const requestId = async (body: string, key = openaiTenant.secret) => {
      const res = await fetch(`${stack.dp.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body,
      });
      await res.arrayBuffer();
      return [res.status, res.headers.get("x-tollgate-request-id")];
    };
    const chat = (extra: object) =>
      JSON.stringify({ model: "gpt-5", messages: [{ role: "user", content: "hi" }], ...extra });
    const answers = [await requestId("{"), await requestId(chat({}), "tg-not-a-key")];
    // The upstream's own 400 for the client's mistake, passed on as it came.
    stack.sim.script(openaiTenant.credentials[0] as string, [{ kind: "status", status: 400 }]);
    answers.push(await requestId(chat({})), await requestId(chat({})), await requestId(chat({ stream: true })));
    expect(answers.map(([status]) => status)).toEqual([400, 401, 400, 200, 200]);
    for (const [, id] of answers) expect(id).toMatch(UUID_V7);
    expect(new Set(answers.map(([, id]) => id)).size).toBe(answers.length);
  });

  it("a key of another platform's group -> 400 in the surface's envelope", async () => {
    const res = await post(
      "/v1/chat/completions",
      { model: "gpt-5", messages: [] },
      { authorization: `Bearer ${geminiTenant.secret}` },
    );
    expect(res).toEqual({ status: 400, body: openaiError("INVALID_REQUEST", "invalid_request_error") });
  });

  it.each([
    ["/v1/embeddings", openaiError("NOT_FOUND", "invalid_request_error")],
    ["/v1beta/models/gemini-2.5-flash:embedContent", geminiError(404, "NOT_FOUND", "NOT_FOUND")],
    ["/antigravity/v1/chat/completions", { type: "error", error: expect.objectContaining({ code: "NOT_FOUND" }) }],
  ])("an unknown path %s -> 404 in the envelope it looks like", async (path, envelope) => {
    const res = await post(path, {}, { authorization: `Bearer ${openaiTenant.secret}` });
    expect(res).toEqual({ status: 404, body: envelope });
  });

  it("Codex's WebSocket upgrade on GET /v1/responses -> 404, so it falls back to SSE", async () => {
    const url = new URL(`${stack.dp.url}/v1/responses`);
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(url, {
        headers: {
          connection: "Upgrade",
          upgrade: "websocket",
          "sec-websocket-version": "13",
          "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
          authorization: `Bearer ${openaiTenant.secret}`,
        },
      });
      req.on("response", (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on("upgrade", () => reject(new Error("the gateway accepted a WebSocket upgrade")));
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(404);
    expect(JSON.parse(body)).toEqual(openaiError("NOT_FOUND", "invalid_request_error"));
  });
});

describe("the client's key never reaches the upstream", () => {
  it("gemini ?key= authenticates the caller and is dropped from the forwarded query", async () => {
    const res = await fetch(
      `${stack.dp.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=${geminiTenant.secret}`,
      { method: "POST", headers: { "content-type": "application/json" }, body: '{"contents":[]}' },
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('"finishReason":"STOP"');
    const upstream = stack.sim.requests().at(-1);
    expect(upstream).toMatchObject({ query: { alt: "sse" }, credential: geminiTenant.credentials[0] });
    expect(JSON.stringify(upstream)).not.toContain(geminiTenant.secret);
  });

  it("openai: the Authorization header upstream is the account's", async () => {
    await openai.chat.completions.create({ model: "gpt-5", messages: [{ role: "user", content: "hi" }] });
    const upstream = stack.sim.requests().at(-1);
    expect(upstream).toMatchObject({ credential: openaiTenant.credentials[0], credentialSource: "authorization" });
    expect(JSON.stringify(upstream)).not.toContain(openaiTenant.secret);
  });
});

describe("an upstream stream broken after its first bytes ends as a failure", () => {
  it("chat completions: the SDK throws our error after the text so far; usage is flagged estimated", async () => {
    stack.sim.script(openaiTenant.credentials[0] as string, [{ kind: "cut-stream", afterEvents: 2 }]);
    let text = "";
    const error = await rejection(
      (async () => {
        const stream = await openai.chat.completions.create({
          model: "gpt-4o",
          messages: [{ role: "user", content: "hi" }],
          stream: true,
        });
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      })(),
    );
    expect(text).toBe("Hello");
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ code: "UPSTREAM_ERROR", type: "server_error" });
    await stack.dp.usage.drain(5_000);
    const filter = { apiKeyId: openaiTenant.key.id, model: "gpt-4o" };
    const { logs } = await stack.admin.usage.listUsageLogs({ filter });
    expect(logs).toEqual([expect.objectContaining({ stream: true, estimated: true, outputTokens: 0n })]);
  });

  it("responses: the SDK throws on the error event", async () => {
    stack.sim.script(openaiTenant.credentials[0] as string, [{ kind: "cut-stream", afterEvents: 5 }]);
    const types: string[] = [];
    const error = await rejection(
      (async () => {
        const stream = await openai.responses.create({ model: "gpt-5", input: "hi", stream: true });
        for await (const event of stream) types.push(event.type);
      })(),
    );
    expect(types).toContain("response.output_text.delta");
    expect(types).not.toContain("response.completed");
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ code: "UPSTREAM_ERROR" });
  });

  it("gemini: the SDK throws an ApiError 502 after the first chunk", async () => {
    stack.sim.script(geminiTenant.credentials[0] as string, [{ kind: "cut-stream", afterEvents: 1 }]);
    let text = "";
    const error = await rejection(
      (async () => {
        for await (const chunk of await genai.models.generateContentStream({
          model: "gemini-3.8-flash",
          contents: "hi",
        })) {
          text += chunk.text ?? "";
        }
      })(),
    );
    expect(text).toBe("Hello");
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(502);
  });
});
