import { newId } from "../common/ids.js";
import { beginConfigChange } from "../controlplane/config/versions.js";
import { openDatabase } from "../controlplane/db/database.js";
import { apiKeys } from "../controlplane/db/schema/index.js";
import { apiKeyPrefix, generateApiKeySecret, hashApiKeySecret } from "../controlplane/keys/api-key-secret.js";

// Fills the key table for the propagation section: thousands of keys written as one config change
// through the control plane's own database code (same rows, hashes and version stamp as CreateApiKey).
// Through the admin API every key is a serialised, fsynced transaction: 10,000 of them take minutes
// before anything is measured.

const CHUNK = 1000;

export async function insertKeysInOneChange(databaseUrl: string, userId: string, groupId: string, count: number) {
  const database = await openDatabase({ databaseUrl, pgliteDir: "" });
  try {
    await database.db.transaction(async (tx) => {
      const version = await beginConfigChange(tx);
      for (let done = 0; done < count; done += CHUNK) {
        const rows = Array.from({ length: Math.min(CHUNK, count - done) }, (_, i) => {
          const secret = generateApiKeySecret();
          return {
            id: newId(),
            userId,
            groupId,
            name: `bulk-${done + i}`,
            secretHash: hashApiKeySecret(secret),
            keyPrefix: apiKeyPrefix(secret),
            version,
          };
        });
        await tx.insert(apiKeys).values(rows);
      }
    });
  } finally {
    await database.close();
  }
}
