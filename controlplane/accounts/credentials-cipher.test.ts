import { describe, expect, it } from "vitest";
import { createCredentialsCipher } from "./credentials-cipher.js";

const secrets = { apiKey: "sk-ant-secret", accessToken: "", refreshToken: "" };

describe("credentials cipher", () => {
  it("round-trips and never shows the plaintext", () => {
    const cipher = createCredentialsCipher("k1");
    const sealed = cipher.seal(secrets);
    expect(sealed).not.toContain("sk-ant-secret");
    expect(cipher.open(sealed)).toEqual(secrets);
  });

  it("uses a fresh IV each time", () => {
    const cipher = createCredentialsCipher("k1");
    expect(cipher.seal(secrets)).not.toBe(cipher.seal(secrets));
  });

  it("refuses another key and tampered data", () => {
    const sealed = createCredentialsCipher("k1").seal(secrets);
    expect(() => createCredentialsCipher("k2").open(sealed)).toThrow();
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith("A") ? "B" : "A"}A`;
    expect(() => createCredentialsCipher("k1").open(tampered)).toThrow();
  });
});
