import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

// Integration tests use the real Redis server (CI sets REDIS_URL) under a key prefix of their own.
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TestRedisPrefix {
  prefix: string;
  cleanup(): Promise<void>;
}

export function createTestPrefix(): TestRedisPrefix {
  const prefix = `tg-test-${randomBytes(6).toString("hex")}:`;
  return {
    prefix,
    async cleanup() {
      const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      try {
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== "0");
      } finally {
        redis.disconnect();
      }
    },
  };
}
