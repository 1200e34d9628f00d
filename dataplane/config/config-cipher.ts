import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

// The persisted config holds upstream credentials: AES-256-GCM under a key derived (HKDF-SHA256) from
// the node token, the secret the data plane already has. A file written under another token (or
// altered on disk) fails authentication and is not used.
// Sealed form: MAGIC | salt (16) | iv (12) | tag (16) | ciphertext.

const MAGIC = Buffer.from("TGCFG1");
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER = MAGIC.length + SALT_BYTES + IV_BYTES + TAG_BYTES;

function keyFor(nodeToken: string, salt: Uint8Array): Buffer {
  return Buffer.from(hkdfSync("sha256", nodeToken, salt, "tollgate-dataplane-config-v1", 32));
}

export function sealConfig(plain: Uint8Array, nodeToken: string): Buffer {
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyFor(nodeToken, salt), iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([MAGIC, salt, iv, cipher.getAuthTag(), body]);
}

/** Throws when the data is not a sealed config, or was sealed under another token, or was altered. */
export function openConfig(sealed: Buffer, nodeToken: string): Buffer {
  if (sealed.length < HEADER || !sealed.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error("not a sealed config file");
  }
  const salt = sealed.subarray(MAGIC.length, MAGIC.length + SALT_BYTES);
  const iv = sealed.subarray(MAGIC.length + SALT_BYTES, MAGIC.length + SALT_BYTES + IV_BYTES);
  const tag = sealed.subarray(HEADER - TAG_BYTES, HEADER);
  const decipher = createDecipheriv("aes-256-gcm", keyFor(nodeToken, salt), iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(HEADER)), decipher.final()]);
}
