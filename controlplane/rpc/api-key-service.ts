import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { newId } from "../../common/ids.js";
import { formatDecimal } from "../../common/money.js";
import { type ApiKeyService, ApiKeyStatus } from "../../gen/tollgate/admin/v1/api_key_pb.js";
import { recordTombstones } from "../config/versions.js";
import { ADMIN_ACTOR, type ServiceContext } from "../context.js";
import {
  type ApiKeyPatch,
  type ApiKeyRow,
  deleteApiKey,
  findApiKey,
  insertApiKey,
  listApiKeys,
  updateApiKey,
} from "../db/api-keys.js";
import { writeAuditEvent } from "../db/audit-events.js";
import type { Tx } from "../db/database.js";
import { findGroup } from "../db/groups.js";
import { findUser } from "../db/users.js";
import { apiKeyPrefix, generateApiKeySecret, hashApiKeySecret } from "../keys/api-key-secret.js";
import { apiKeyMessage, auditJson } from "./admin-messages.js";
import { invalidArgument, notFound } from "./errors.js";
import { decodePageToken, pageSize, toPage } from "./paging.js";
import { ipList, nonNegativeDecimal } from "./validate.js";

const audit = (action: string, targetId: string, before?: unknown, after?: unknown) => ({
  actor: ADMIN_ACTOR,
  action: `ApiKeyService/${action}`,
  targetType: "api_key",
  targetId,
  before,
  after,
});

async function requireGroup(tx: Tx, id: string): Promise<void> {
  if (id === "") throw invalidArgument("group_id", "is required");
  if (!(await findGroup(tx, id))) throw notFound("group", id, "group_id");
}

export function apiKeyService(ctx: ServiceContext): ServiceImpl<typeof ApiKeyService> {
  const view = (row: ApiKeyRow) => apiKeyMessage(row, new Date());

  /** Loads the key, applies `patch`, stamps the version and audits the change. */
  async function change(action: string, id: string, patchOf: (before: ApiKeyRow, tx: Tx) => Promise<ApiKeyPatch>) {
    const apiKey = await ctx.change(async (tx, version) => {
      const before = await findApiKey(tx, id);
      if (!before) throw notFound("API key", id);
      const apiKey = view(await updateApiKey(tx, id, await patchOf(before, tx), version));
      await writeAuditEvent(tx, audit(action, id, auditJson.apiKey(view(before)), auditJson.apiKey(apiKey)));
      return apiKey;
    });
    return { apiKey };
  }

  return {
    async createApiKey(req) {
      if (req.userId === "") throw invalidArgument("user_id", "is required");
      const quota = formatDecimal(nonNegativeDecimal("quota_usd", req.quotaUsd, "0"));
      const expiresAt = req.expiresAt ? timestampDate(req.expiresAt) : null;
      if (expiresAt && expiresAt.getTime() <= Date.now()) throw invalidArgument("expires_at", "must be in the future");
      const ipWhitelist = ipList("ip_whitelist", req.ipWhitelist);
      const ipBlacklist = ipList("ip_blacklist", req.ipBlacklist);
      const secret = generateApiKeySecret();
      const apiKey = await ctx.change(async (tx, version) => {
        if (!(await findUser(tx, req.userId))) throw notFound("user", req.userId, "user_id");
        await requireGroup(tx, req.groupId);
        const row = await insertApiKey(tx, {
          id: newId(),
          userId: req.userId,
          name: req.name.trim(),
          groupId: req.groupId,
          secretHash: hashApiKeySecret(secret),
          keyPrefix: apiKeyPrefix(secret),
          quota,
          expiresAt,
          ipWhitelist,
          ipBlacklist,
          version,
        });
        const apiKey = view(row);
        await writeAuditEvent(tx, audit("CreateApiKey", apiKey.id, undefined, auditJson.apiKey(apiKey)));
        return apiKey;
      });
      return { apiKey, secret };
    },

    async getApiKey(req) {
      const row = await findApiKey(ctx.db, req.id);
      if (!row) throw notFound("API key", req.id);
      return { apiKey: view(row) };
    },

    async listApiKeys(req) {
      const limit = pageSize(req.pageSize);
      const [after] = decodePageToken(req.pageToken, 1) ?? [];
      const filter = { userId: req.userId, groupId: req.groupId, status: req.status };
      const page = toPage(await listApiKeys(ctx.db, filter, new Date(), limit + 1, after), limit, (k) => [k.id]);
      return { apiKeys: page.items.map(view), nextPageToken: page.nextPageToken };
    },

    async updateApiKey(req) {
      if (req.status !== undefined && req.status !== ApiKeyStatus.ACTIVE && req.status !== ApiKeyStatus.DISABLED) {
        throw invalidArgument("status", "only API_KEY_STATUS_ACTIVE or API_KEY_STATUS_DISABLED can be set");
      }
      const patch: ApiKeyPatch = {
        name: req.name?.trim(),
        status: req.status === undefined ? undefined : req.status === ApiKeyStatus.ACTIVE ? "active" : "disabled",
        quota:
          req.quotaUsd === undefined ? undefined : formatDecimal(nonNegativeDecimal("quota_usd", req.quotaUsd, "0")),
        expiresAt: req.expiresAt ? timestampDate(req.expiresAt) : undefined,
        ipWhitelist: req.ipWhitelist ? ipList("ip_whitelist", req.ipWhitelist.values) : undefined,
        ipBlacklist: req.ipBlacklist ? ipList("ip_blacklist", req.ipBlacklist.values) : undefined,
      };
      return change("UpdateApiKey", req.id, async (_before, tx) => {
        if (req.groupId !== undefined) await requireGroup(tx, req.groupId);
        return { ...patch, groupId: req.groupId };
      });
    },

    async deleteApiKey(req) {
      await ctx.change(async (tx, version) => {
        const before = await findApiKey(tx, req.id);
        if (!before) throw notFound("API key", req.id);
        await deleteApiKey(tx, req.id);
        await recordTombstones(tx, version, "api_key", [req.id]);
        await writeAuditEvent(tx, audit("DeleteApiKey", req.id, auditJson.apiKey(view(before))));
      });
      return {};
    },

    // Quota exhaustion and expiry are derived from quota_used and expires_at (keys/key-status.ts), so
    // changing those facts is what brings the key back to active.
    resetQuota: (req) => change("ResetQuota", req.id, async () => ({ quotaUsed: "0" })),
    clearExpiration: (req) => change("ClearExpiration", req.id, async () => ({ expiresAt: null })),
  };
}
