import { createHash, randomInt } from "node:crypto";

// API key secrets: "sk-tg-" + 40 base62 characters (~238 bits). Only the SHA-256 is stored; the data
// plane looks keys up by the same hash.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const SECRET_PREFIX = "sk-tg-";
const RANDOM_CHARS = 40;
const SHOWN_PREFIX_LENGTH = 10;

export function generateApiKeySecret(): string {
  let out = SECRET_PREFIX;
  for (let i = 0; i < RANDOM_CHARS; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

export function hashApiKeySecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** What admins see to recognise a key. */
export function apiKeyPrefix(secret: string): string {
  return secret.slice(0, SHOWN_PREFIX_LENGTH);
}
