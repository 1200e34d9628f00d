import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { AccountType } from "../../../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../../../gen/tollgate/admin/v1/common_pb.js";
import { AccountSchema } from "../../../gen/tollgate/plane/v1/plane_pb.js";
import type { ClientRequest } from "../protocol.js";
import { geminiUpstreamRequest, withoutKey } from "./forward.js";

const apiKeyAccount = create(AccountSchema, {
  platform: Platform.GEMINI,
  type: AccountType.APIKEY,
  baseUrl: "https://generativelanguage.example.com",
  apiKey: "g-account",
});
const antigravityAccount = create(AccountSchema, {
  platform: Platform.ANTIGRAVITY,
  type: AccountType.APIKEY,
  baseUrl: "https://relay.example.com/antigravity",
  apiKey: "ag-account",
});
const oauthAccount = create(AccountSchema, {
  platform: Platform.GEMINI,
  type: AccountType.OAUTH,
  baseUrl: "https://generativelanguage.example.com",
  accessToken: "ya29.account",
});

// Headers as Gemini CLI 0.61.0 sends them (captures/gemini-cli-2.json), plus what must never pass.
const cliHeaders = {
  "content-type": "application/json",
  "x-goog-api-key": "tg-client-key",
  "user-agent": "GeminiCLI-tui/0.61.0/gemini-3.8-flash (linux; x64; terminal)",
  "x-goog-api-client": "google-genai-sdk/1.30.0 gl-node/v20.20.2",
  "x-gemini-api-privileged-user-id": "install-uuid",
  accept: "*/*",
  "accept-encoding": "gzip, deflate",
  authorization: "Bearer tg-client-key",
  host: "gateway.local",
  connection: "keep-alive",
  "content-length": "42",
  "transfer-encoding": "chunked",
};

function request(search: string): ClientRequest {
  const body = { contents: [] };
  return {
    method: "POST",
    upstreamPath: "/v1beta/models/gemini-3.8-flash:streamGenerateContent",
    search,
    headers: cliHeaders,
    rawBody: Buffer.from(JSON.stringify(body)),
  };
}

describe("geminiUpstreamRequest", () => {
  it("forwards the allow-listed headers with the account's key, never the client's", () => {
    const out = geminiUpstreamRequest(request("?alt=sse"), { model: "m", stream: true }, apiKeyAccount);
    expect(out.headers).toEqual({
      "content-type": "application/json",
      "user-agent": "GeminiCLI-tui/0.61.0/gemini-3.8-flash (linux; x64; terminal)",
      "x-goog-api-client": "google-genai-sdk/1.30.0 gl-node/v20.20.2",
      accept: "*/*",
      "accept-encoding": "identity",
      "x-goog-api-key": "g-account",
    });
    expect(JSON.stringify(out)).not.toContain("tg-client-key");
  });

  it.each([
    [
      "an API-key account",
      apiKeyAccount,
      "?alt=sse&key=tg-client-key",
      "/v1beta/models/gemini-3.8-flash:streamGenerateContent?alt=sse",
      { "x-goog-api-key": "g-account" },
    ],
    [
      "an Antigravity API-key account (its base URL ends in /antigravity)",
      antigravityAccount,
      "?alt=sse",
      "/antigravity/v1beta/models/gemini-3.8-flash:streamGenerateContent?alt=sse",
      { "x-goog-api-key": "ag-account" },
    ],
    [
      "an OAuth account",
      oauthAccount,
      "?key=tg-client-key",
      "/v1beta/models/gemini-3.8-flash:streamGenerateContent",
      { authorization: "Bearer ya29.account" },
    ],
  ])("addresses %s by its base URL and credentials", (_name, account, search, path, auth) => {
    const out = geminiUpstreamRequest(request(search), { model: "m", stream: true }, account);
    expect(out.path).toBe(path);
    expect(out.headers).toMatchObject(auth);
    expect(out.body?.toString()).toBe('{"contents":[]}');
    expect(JSON.stringify(out)).not.toContain("tg-client-key");
  });
});

describe("withoutKey", () => {
  it.each([
    ["", ""],
    ["?alt=sse", "?alt=sse"],
    ["?key=secret", ""],
    ["?key=secret&alt=sse", "?alt=sse"],
    ["?alt=sse&key=secret&key=again", "?alt=sse"],
    ["?%6Bey=secret&alt=sse", "?alt=sse"],
  ])("%j -> %j", (search, expected) => {
    expect(withoutKey(search)).toBe(expected);
  });
});
