import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { AccountType } from "../../../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../../../gen/tollgate/admin/v1/common_pb.js";
import { AccountSchema } from "../../../gen/tollgate/plane/v1/plane_pb.js";
import type { ClientRequest, ParsedRequest } from "../protocol.js";
import { chatUpstreamRequest, responsesUpstreamRequest } from "./forward.js";
import { parseChatRequest } from "./request.js";

const apiKeyAccount = create(AccountSchema, {
  id: "a1",
  platform: Platform.OPENAI,
  type: AccountType.APIKEY,
  baseUrl: "https://api.example.com/openai/",
  apiKey: "sk-account",
});
const oauthAccount = create(AccountSchema, {
  id: "a2",
  platform: Platform.OPENAI,
  type: AccountType.OAUTH,
  baseUrl: "https://api.example.com",
  accessToken: "oauth-access",
});

// Headers as Codex 0.171.0 sends them (captures/codex-1.json), plus what must never pass.
const codexHeaders = {
  "x-codex-beta-features": "remote_compaction_v2",
  "x-codex-window-id": "w:0",
  "x-codex-turn-metadata": '{"session_id":"s"}',
  "x-client-request-id": "r1",
  "session-id": "s1",
  "thread-id": "s1",
  accept: "text/event-stream",
  "content-type": "application/json",
  authorization: "Bearer tg-client-key",
  originator: "codex_exec",
  "user-agent": "codex_exec/0.171.0",
  "accept-encoding": "zstd,gzip",
  host: "gateway.local",
  "content-length": "40527",
  connection: "keep-alive",
  "keep-alive": "timeout=5",
  "transfer-encoding": "chunked",
  "x-api-key": "tg-client-key",
  cookie: "a=b",
  "x-forwarded-for": "10.0.0.1",
  "openai-organization": "org-client",
  "openai-project": "proj-client",
  "openai-beta": "responses=v1",
  "x-stainless-lang": "js",
};

function request(body: unknown, search = "", path = "/v1/responses"): ClientRequest {
  return {
    method: "POST",
    upstreamPath: path,
    search,
    headers: codexHeaders,
    rawBody: Buffer.from(JSON.stringify(body)),
  };
}

describe("OpenAI upstream requests", () => {
  it("forward the allow-listed headers with the account's key, never the client's", () => {
    const out = responsesUpstreamRequest(
      request({ model: "m", input: "hi" }),
      { model: "m", stream: true },
      apiKeyAccount,
    );
    expect(out.headers).toEqual({
      "x-codex-beta-features": "remote_compaction_v2",
      "x-codex-window-id": "w:0",
      "x-codex-turn-metadata": '{"session_id":"s"}',
      "x-client-request-id": "r1",
      "session-id": "s1",
      "thread-id": "s1",
      accept: "text/event-stream",
      "content-type": "application/json",
      originator: "codex_exec",
      "user-agent": "codex_exec/0.171.0",
      "openai-beta": "responses=v1",
      "x-stainless-lang": "js",
      "accept-encoding": "identity",
      authorization: "Bearer sk-account",
    });
    expect(JSON.stringify(out)).not.toContain("tg-client-key");
  });

  it.each([
    ["an API-key account", apiKeyAccount, "https://api.example.com", "/openai/v1/responses?x=1", "Bearer sk-account"],
    ["an OAuth account", oauthAccount, "https://api.example.com", "/v1/responses?x=1", "Bearer oauth-access"],
  ])("address %s by its base URL and credentials", (_name, account, origin, path, authorization) => {
    const out = responsesUpstreamRequest(request({ model: "m" }, "?x=1"), { model: "m", stream: false }, account);
    expect({ origin: out.origin, path: out.path, method: out.method, auth: out.headers.authorization }).toEqual({
      origin,
      path,
      method: "POST",
      auth: authorization,
    });
  });

  it("send the Responses body as received", () => {
    const input = request({ model: "m", input: "hi", stream: true });
    const out = responsesUpstreamRequest(input, { model: "m", stream: true }, apiKeyAccount);
    expect(out.body).toBe(input.rawBody);
  });
});

describe("chat completions ask upstream for stream usage", () => {
  const messages = [{ role: "user", content: "héllo" }];
  it.each([
    [
      "no stream_options: the field is spliced in, the rest byte for byte",
      `{"model":"gpt-5","stream":true,"messages":[{"role":"user","content":"héllo"}],"seed":12345678901234567890}\n`,
      `{"model":"gpt-5","stream":true,"messages":[{"role":"user","content":"héllo"}],"seed":12345678901234567890,"stream_options":{"include_usage":true}}\n`,
    ],
    [
      "stream_options without include_usage: merged",
      JSON.stringify({ model: "gpt-5", stream: true, messages, stream_options: { include_obfuscation: false } }),
      JSON.stringify({
        model: "gpt-5",
        stream: true,
        messages,
        stream_options: { include_obfuscation: false, include_usage: true },
      }),
    ],
    [
      "include_usage false: turned on",
      JSON.stringify({ model: "gpt-5", stream: true, messages, stream_options: { include_usage: false } }),
      JSON.stringify({ model: "gpt-5", stream: true, messages, stream_options: { include_usage: true } }),
    ],
    [
      "stream_options null: replaced",
      JSON.stringify({ model: "gpt-5", stream: true, messages, stream_options: null }),
      JSON.stringify({ model: "gpt-5", stream: true, messages, stream_options: { include_usage: true } }),
    ],
  ])("%s", (_name, sent, forwarded) => {
    const rawBody = Buffer.from(sent);
    const input: ClientRequest = {
      method: "POST",
      upstreamPath: "/v1/chat/completions",
      search: "",
      headers: {},
      rawBody,
    };
    const out = chatUpstreamRequest(input, parseChatRequest(input, JSON.parse(sent)) as ParsedRequest, apiKeyAccount);
    expect(out.body?.toString("utf8")).toBe(forwarded);
  });

  it.each([
    ["include_usage already on", true, { include_usage: true }],
    ["not streamed", false, undefined],
  ])("leave the body untouched when %s", (_name, stream, options) => {
    const body = { model: "gpt-5", stream, messages, stream_options: options };
    const input: ClientRequest = {
      method: "POST",
      upstreamPath: "/v1/chat/completions",
      search: "",
      headers: {},
      rawBody: Buffer.from(JSON.stringify(body)),
    };
    expect(chatUpstreamRequest(input, parseChatRequest(input, body) as ParsedRequest, apiKeyAccount).body).toBe(
      input.rawBody,
    );
  });
});
