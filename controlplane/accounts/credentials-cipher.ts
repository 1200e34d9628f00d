import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

// Upstream credentials at rest: AES-256-GCM under a key derived (HKDF-SHA256) from TOLLGATE_SECRET_KEY.
// Sealed form: "v1." + base64url(iv | tag | ciphertext).

export interface AccountSecrets {
  apiKey: string;
  accessToken: string;
  refreshToken: string;
}

export interface CredentialsCipher {
  seal(secrets: AccountSecrets): string;
  open(sealed: string): AccountSecrets;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Fails when stored credentials were sealed under another key: better than a config stream that cannot be built. */
export function assertCipherOpens(cipher: CredentialsCipher, sample: string | undefined): void {
  if (sample === undefined) return;
  try {
    cipher.open(sample);
  } catch {
    throw new Error("TOLLGATE_SECRET_KEY does not decrypt the stored upstream credentials (was the key changed?)");
  }
}

export function createCredentialsCipher(secretKey: string): CredentialsCipher {
  const key = Buffer.from(hkdfSync("sha256", secretKey, "tollgate", "upstream-credentials-v1", 32));
  return {
    seal(secrets) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(secrets), "utf8"), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
    },
    open(sealed) {
      if (!sealed.startsWith("v1.")) throw new Error("unknown credentials format");
      const raw = Buffer.from(sealed.slice(3), "base64url");
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const json = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      const parsed = JSON.parse(json.toString("utf8")) as Partial<AccountSecrets>;
      return {
        apiKey: parsed.apiKey ?? "",
        accessToken: parsed.accessToken ?? "",
        refreshToken: parsed.refreshToken ?? "",
      };
    },
  };
}
