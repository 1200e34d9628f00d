import { describe, expect, it } from "vitest";
import { AccountType } from "../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { effectiveBaseUrl } from "./effective-base-url.js";

describe("effectiveBaseUrl", () => {
  it.each([
    [Platform.ANTHROPIC, AccountType.APIKEY, "", "https://api.anthropic.com"],
    [Platform.OPENAI, AccountType.OAUTH, "", "https://api.openai.com"],
    [Platform.GEMINI, AccountType.APIKEY, "  ", "https://generativelanguage.googleapis.com"],
    [Platform.ANTIGRAVITY, AccountType.APIKEY, "", "https://cloudcode-pa.googleapis.com/antigravity"],
    [Platform.ANTIGRAVITY, AccountType.OAUTH, "", "https://cloudcode-pa.googleapis.com"],
    [Platform.ANTIGRAVITY, AccountType.APIKEY, "http://127.0.0.1:9000/", "http://127.0.0.1:9000/antigravity"],
    [
      Platform.ANTIGRAVITY,
      AccountType.APIKEY,
      "https://relay.example/antigravity",
      "https://relay.example/antigravity",
    ],
    [Platform.ANTHROPIC, AccountType.APIKEY, "https://relay.example/v//", "https://relay.example/v"],
    [Platform.UNSPECIFIED, AccountType.APIKEY, "", ""],
  ])("%s %s %j -> %s", (platform, type, baseUrl, expected) => {
    expect(effectiveBaseUrl(platform, type, baseUrl)).toBe(expected);
  });
});
