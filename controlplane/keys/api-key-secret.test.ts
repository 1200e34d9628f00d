import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { apiKeyPrefix, generateApiKeySecret, hashApiKeySecret } from "./api-key-secret.js";

describe("api key secrets", () => {
  it("are sk-tg- plus 40 base62 characters, all different", () => {
    const secrets = new Set(Array.from({ length: 200 }, generateApiKeySecret));
    expect(secrets.size).toBe(200);
    for (const s of secrets) expect(s).toMatch(/^sk-tg-[0-9A-Za-z]{40}$/);
  });

  it("hash to the hex SHA-256 the data plane computes", () => {
    expect(hashApiKeySecret("sk-tg-abc")).toBe(createHash("sha256").update("sk-tg-abc").digest("hex"));
  });

  it("show their first 10 characters", () => {
    expect(apiKeyPrefix("sk-tg-ABCDEFGH")).toBe("sk-tg-ABCD");
  });
});
