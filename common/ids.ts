import { randomFillSync } from "node:crypto";

// UUIDv7: time-ordered, so keyset pagination by id lists entities in creation order. Every proxied
// request gets one, so randomness is drawn from the kernel in pooled blocks, not 10 bytes per call.

const POOL_IDS = 256;
const pool = Buffer.alloc(10 * POOL_IDS);
let next = POOL_IDS;

export function newId(now: number = Date.now()): string {
  if (next === POOL_IDS) {
    randomFillSync(pool);
    next = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(now, 0, 6);
  pool.copy(bytes, 6, next * 10, next * 10 + 10);
  next++;
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
