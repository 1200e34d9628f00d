import { create } from "@bufbuild/protobuf";
import { gt } from "drizzle-orm";
import { parsePrice } from "../../common/pricing.js";
import {
  type ConfigUpdate,
  ConfigUpdateSchema,
  type Resource,
  type ResourceRef,
} from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { CredentialsCipher } from "../accounts/credentials-cipher.js";
import { groupIdsOf } from "../db/accounts.js";
import type { Db, Tx } from "../db/database.js";
import { accounts, apiKeys, configTombstones, groups, modelPrices, users } from "../db/schema/index.js";
import { DEFAULT_PRICES } from "../usage/default-prices.js";
import { effectivePrices } from "../usage/price-table.js";
import {
  accountResource,
  apiKeyResource,
  groupResource,
  modelPriceResource,
  resourceRef,
  userResource,
} from "./plane-resources.js";
import { readConfigHead } from "./versions.js";

// What a data plane holding `knownVersion` must receive (DESIGN §4): a full snapshot when it holds
// nothing, something this database never issued, or something older than the tombstones or the shipped
// price table kept; nothing when it is current; otherwise every resource stamped after its version and
// the tombstones written since. Read in one repeatable-read snapshot, so the version and the rows agree.
// Most versions are usage stamps, which change only users and keys: when every version since the data
// plane's is one ("billing"), the other kinds are not read.

export type UpdateKind = "snapshot" | "delta" | "billing" | "none";

export function updateKind(
  knownVersion: number,
  head: { version: number; configVersion: number; tombstoneFloor: number; defaultPricesVersion: number },
): UpdateKind {
  if (knownVersion === head.version) return "none";
  if (
    knownVersion === 0 ||
    knownVersion > head.version ||
    knownVersion < head.tombstoneFloor ||
    knownVersion < head.defaultPricesVersion
  ) {
    return "snapshot";
  }
  return knownVersion >= head.configVersion ? "billing" : "delta";
}

export async function readConfigUpdate(
  db: Db,
  cipher: CredentialsCipher,
  knownVersion: number,
): Promise<ConfigUpdate | undefined> {
  return db.transaction(
    async (tx) => {
      const head = await readConfigHead(tx);
      const kind = updateKind(knownVersion, head);
      if (kind === "none") return undefined;
      const since = kind === "snapshot" ? 0 : knownVersion;
      const { upserts, deletes } = await readChanges(tx, cipher, since, kind === "billing");
      return create(ConfigUpdateSchema, {
        version: BigInt(head.version),
        snapshot: kind === "snapshot",
        upserts,
        deletes,
      });
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/**
 * Resources stamped after `since` (all of them for 0), and the deletions since; with `billedOnly`, the
 * users and keys alone, all that usage stamps change.
 */
async function readChanges(tx: Tx, cipher: CredentialsCipher, since: number, billedOnly: boolean) {
  const now = new Date();
  const upserts: Resource[] = [];
  const deletes: ResourceRef[] = [];
  // Issued together, so the driver sends them in one write: a read per change per watching data plane
  // would otherwise cost a round trip per table.
  const [userRows, groupRows, keyRows, accountRows, priceRows, tombstones] = await Promise.all([
    tx.select().from(users).where(gt(users.version, since)),
    billedOnly ? [] : tx.select().from(groups).where(gt(groups.version, since)),
    tx.select().from(apiKeys).where(gt(apiKeys.version, since)),
    billedOnly ? [] : tx.select().from(accounts).where(gt(accounts.version, since)),
    since === 0 || billedOnly ? [] : tx.select().from(modelPrices).where(gt(modelPrices.version, since)),
    since === 0 || billedOnly ? [] : tx.select().from(configTombstones).where(gt(configTombstones.version, since)),
  ]);
  for (const row of userRows) upserts.push(userResource(row));
  for (const row of groupRows) upserts.push(groupResource(row));
  for (const row of keyRows) upserts.push(apiKeyResource(row, now));
  const memberships = await groupIdsOf(
    tx,
    accountRows.map((a) => a.id),
  );
  for (const row of accountRows) upserts.push(accountResource(row, memberships.get(row.id) ?? [], cipher));

  if (since === 0) {
    for (const [model, price] of await effectivePrices(tx)) upserts.push(modelPriceResource(model, price));
    return { upserts, deletes };
  }
  for (const row of priceRows) upserts.push(modelPriceResource(row.model, parsePrice(row)));
  for (const tombstone of tombstones) {
    // A deleted override of a default pattern means the default is in force again.
    const fallback = tombstone.kind === "model_price" ? DEFAULT_PRICES.get(tombstone.id) : undefined;
    if (fallback) upserts.push(modelPriceResource(tombstone.id, fallback));
    else deletes.push(resourceRef(tombstone.kind, tombstone.id));
  }
  return { upserts, deletes };
}
