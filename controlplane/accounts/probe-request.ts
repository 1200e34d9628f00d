import type { PlatformName } from "../stored-values.js";
import type { AccountSecrets } from "./credentials-cipher.js";

// TestAccount's one tiny request per platform, in the platform's own protocol. Antigravity accounts are
// probed with the Gemini protocol under their effective base URL.

export interface ProbeTarget {
  platform: PlatformName;
  type: "apikey" | "oauth";
  baseUrl: string;
  secrets: AccountSecrets;
  model: string;
}

export interface ProbeRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const DEFAULT_MODELS: Record<PlatformName, string> = {
  anthropic: "claude-haiku-4-5",
  openai: "gpt-4.1-mini",
  gemini: "gemini-2.5-flash",
  antigravity: "gemini-2.5-flash",
};

export function buildProbeRequest(target: ProbeTarget): ProbeRequest {
  const model = target.model || DEFAULT_MODELS[target.platform];
  const token = target.type === "apikey" ? target.secrets.apiKey : target.secrets.accessToken;
  const json = { "content-type": "application/json" };
  switch (target.platform) {
    case "anthropic":
      return {
        url: `${target.baseUrl}/v1/messages`,
        headers: {
          ...json,
          "anthropic-version": "2023-06-01",
          ...(target.type === "apikey"
            ? { "x-api-key": token }
            : { authorization: `Bearer ${token}`, "anthropic-beta": "oauth-2025-04-20" }),
        },
        body: JSON.stringify({ model, max_tokens: 1, messages: [{ role: "user", content: "ping" }] }),
      };
    case "openai":
      return {
        url: `${target.baseUrl}/v1/chat/completions`,
        headers: { ...json, authorization: `Bearer ${token}` },
        body: JSON.stringify({ model, max_tokens: 1, messages: [{ role: "user", content: "ping" }] }),
      };
    case "gemini":
    case "antigravity":
      return {
        url: `${target.baseUrl}/v1beta/models/${encodeURIComponent(model)}:generateContent`,
        headers: {
          ...json,
          ...(target.type === "apikey" ? { "x-goog-api-key": token } : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify({
          contents: [{ role: "user", parts: [{ text: "ping" }] }],
          generationConfig: { maxOutputTokens: 1 },
        }),
      };
  }
}
