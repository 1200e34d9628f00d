import { describe, expect, it } from "vitest";
import { buildProbeRequest, type ProbeTarget } from "./probe-request.js";

const secrets = { apiKey: "KEY", accessToken: "TOKEN", refreshToken: "R" };
const target = (t: Partial<ProbeTarget>): ProbeTarget => ({
  platform: "anthropic",
  type: "apikey",
  baseUrl: "https://up",
  secrets,
  model: "",
  ...t,
});

describe("buildProbeRequest", () => {
  it.each([
    [target({}), "https://up/v1/messages", { "x-api-key": "KEY" }, "claude-haiku-4-5"],
    [
      target({ type: "oauth" }),
      "https://up/v1/messages",
      { authorization: "Bearer TOKEN", "anthropic-beta": "oauth-2025-04-20" },
      "claude-haiku-4-5",
    ],
    [
      target({ platform: "openai", model: "gpt-5" }),
      "https://up/v1/chat/completions",
      { authorization: "Bearer KEY" },
      "gpt-5",
    ],
    [
      target({ platform: "gemini" }),
      "https://up/v1beta/models/gemini-2.5-flash:generateContent",
      { "x-goog-api-key": "KEY" },
      undefined,
    ],
    [
      target({ platform: "antigravity", type: "oauth", baseUrl: "https://up/antigravity" }),
      "https://up/antigravity/v1beta/models/gemini-2.5-flash:generateContent",
      { authorization: "Bearer TOKEN" },
      undefined,
    ],
  ])("%#: %s", (t, url, headers, model) => {
    const request = buildProbeRequest(t);
    expect(request.url).toBe(url);
    expect(request.headers).toMatchObject(headers);
    if (model) expect(JSON.parse(request.body).model).toBe(model);
  });
});
