import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { newId } from "../../common/ids.js";
import {
  type AccountCredentials,
  type AccountService,
  AccountStatus,
  AccountType,
} from "../../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import { accountBaseUrl, checkBaseUrl } from "../accounts/base-url.js";
import type { AccountSecrets } from "../accounts/credentials-cipher.js";
import { probeAccount } from "../accounts/probe-account.js";
import { recordTombstones } from "../config/versions.js";
import { ADMIN_ACTOR, type ServiceContext } from "../context.js";
import {
  type AccountPatch,
  type AccountRow,
  accountNameTaken,
  CLEARED_STATE,
  deleteAccount,
  findAccount,
  groupIdsOf,
  groupPlatforms,
  insertAccount,
  listAccounts,
  setAccountGroups,
  updateAccount,
} from "../db/accounts.js";
import { writeAuditEvent } from "../db/audit-events.js";
import type { Executor, Tx } from "../db/database.js";
import { ACCOUNT_STATUS, type PlatformName, platformName } from "../stored-values.js";
import { accountMessage, auditJson } from "./admin-messages.js";
import { alreadyExists, invalidArgument, notFound } from "./errors.js";
import { decodePageToken, pageSize, toPage } from "./paging.js";
import { nonNegativeInt, requireText } from "./validate.js";

type AccountTypeName = "apikey" | "oauth";

const audit = (action: string, targetId: string, before?: unknown, after?: unknown) => ({
  actor: ADMIN_ACTOR,
  action: `AccountService/${action}`,
  targetType: "account",
  targetId,
  before,
  after,
});

function secretsFrom(type: AccountTypeName, credentials: AccountCredentials | undefined): AccountSecrets {
  const secrets = {
    apiKey: credentials?.apiKey.trim() ?? "",
    accessToken: credentials?.accessToken.trim() ?? "",
    refreshToken: credentials?.refreshToken.trim() ?? "",
  };
  if (type === "apikey" && !secrets.apiKey)
    throw invalidArgument("credentials.api_key", "is required for API-key accounts");
  if (type === "oauth" && !secrets.accessToken && !secrets.refreshToken) {
    throw invalidArgument("credentials.access_token", "an access or refresh token is required for OAuth accounts");
  }
  return secrets;
}

function models(values: readonly string[]): string[] {
  return [...new Set(values.map((m) => m.trim()).filter((m) => m !== ""))];
}

/**
 * Group ids must exist and be of the account's own platform. Antigravity accounts join only Antigravity
 * groups too: the data plane reaches them through its /antigravity mirrors, and a group mixing
 * platforms would route requests to accounts that speak another protocol.
 */
async function checkGroups(ex: Executor, platform: string, ids: readonly string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const platforms = await groupPlatforms(ex, unique);
  unique.forEach((id, index) => {
    const found = platforms.get(id);
    if (!found) throw notFound("group", id, `group_ids[${index}]`);
    if (found !== platform)
      throw invalidArgument(`group_ids[${index}]`, `group "${id}" is a ${found} group, not ${platform}`);
  });
  return unique;
}

export function accountService(ctx: ServiceContext): ServiceImpl<typeof AccountService> {
  const baseUrl = (value: string): string => {
    const text = value.trim();
    if (text === "") return "";
    const problem = checkBaseUrl(text, ctx.allowPrivateUpstreams);
    if (problem) throw invalidArgument("base_url", problem);
    return text;
  };

  async function view(ex: Executor, row: AccountRow) {
    return accountMessage(row, (await groupIdsOf(ex, [row.id])).get(row.id) ?? []);
  }

  /** The audit view of an account; notes (never shows) replaced credentials. */
  const auditView = async (ex: Executor, row: AccountRow, credentialsChanged = false) => ({
    ...(auditJson.account(await view(ex, row)) as object),
    ...(credentialsChanged ? { credentials: "[replaced]" } : {}),
  });

  return {
    async createAccount(req) {
      const platform = platformName(req.platform);
      if (!platform) throw invalidArgument("platform", "is required");
      const type = req.type === AccountType.APIKEY ? "apikey" : req.type === AccountType.OAUTH ? "oauth" : undefined;
      if (!type) throw invalidArgument("type", "is required");
      const secrets = secretsFrom(type, req.credentials);
      const values = {
        id: newId(),
        name: requireText("name", req.name),
        platform,
        type,
        baseUrl: baseUrl(req.baseUrl),
        priority: req.priority,
        concurrency: nonNegativeInt("concurrency", req.concurrency),
        schedulable: req.schedulable ?? true,
        models: models(req.models),
        credentials: ctx.cipher.seal(secrets),
        tokenExpiresAt: req.credentials?.expiresAt ? timestampDate(req.credentials.expiresAt) : null,
      };
      const account = await ctx.change(async (tx, version) => {
        if (await accountNameTaken(tx, values.name)) throw alreadyExists(`an account named "${values.name}" exists`);
        const groupIds = await checkGroups(tx, platform, req.groupIds);
        const row = await insertAccount(tx, { ...values, version }, groupIds);
        await writeAuditEvent(tx, audit("CreateAccount", row.id, undefined, await auditView(tx, row, true)));
        return view(tx, row);
      });
      return { account };
    },

    async getAccount(req) {
      const row = await findAccount(ctx.db, req.id);
      if (!row) throw notFound("account", req.id);
      return { account: await view(ctx.db, row) };
    },

    async listAccounts(req) {
      const limit = pageSize(req.pageSize);
      const [after] = decodePageToken(req.pageToken, 1) ?? [];
      const statusName = Object.entries(ACCOUNT_STATUS).find(([, s]) => s === req.status)?.[0];
      const filter = {
        platform: req.platform === Platform.UNSPECIFIED ? undefined : platformName(req.platform),
        groupId: req.groupId,
        status: req.status === AccountStatus.UNSPECIFIED ? undefined : statusName,
      };
      const page = toPage(await listAccounts(ctx.db, filter, limit + 1, after), limit, (a) => [a.id]);
      const groups = await groupIdsOf(
        ctx.db,
        page.items.map((a) => a.id),
      );
      return {
        accounts: page.items.map((a) => accountMessage(a, groups.get(a.id) ?? [])),
        nextPageToken: page.nextPageToken,
      };
    },

    async updateAccount(req) {
      if (req.status !== undefined && req.status !== AccountStatus.ACTIVE && req.status !== AccountStatus.DISABLED) {
        throw invalidArgument("status", "only ACCOUNT_STATUS_ACTIVE or ACCOUNT_STATUS_DISABLED can be set");
      }
      const patch: AccountPatch = {
        name: req.name === undefined ? undefined : requireText("name", req.name),
        baseUrl: req.baseUrl === undefined ? undefined : baseUrl(req.baseUrl),
        priority: req.priority,
        concurrency: req.concurrency === undefined ? undefined : nonNegativeInt("concurrency", req.concurrency),
        schedulable: req.schedulable,
        status: req.status === undefined ? undefined : req.status === AccountStatus.ACTIVE ? "active" : "disabled",
        models: req.models ? models(req.models.values) : undefined,
      };
      const account = await ctx.change(async (tx, version) => {
        const before = await findAccount(tx, req.id);
        if (!before) throw notFound("account", req.id);
        if (patch.name && (await accountNameTaken(tx, patch.name, req.id))) {
          throw alreadyExists(`an account named "${patch.name}" exists`);
        }
        if (req.credentials) {
          patch.credentials = ctx.cipher.seal(secretsFrom(before.type as AccountTypeName, req.credentials));
          patch.tokenExpiresAt = req.credentials.expiresAt ? timestampDate(req.credentials.expiresAt) : null;
        }
        if (req.groupIds)
          await setAccountGroups(tx, req.id, await checkGroups(tx, before.platform, req.groupIds.values));
        const beforeView = await auditView(tx, before);
        const row = await updateAccount(tx, req.id, patch, version);
        await writeAuditEvent(
          tx,
          audit("UpdateAccount", row.id, beforeView, await auditView(tx, row, !!req.credentials)),
        );
        return view(tx, row);
      });
      return { account };
    },

    async deleteAccount(req) {
      await ctx.change(async (tx, version) => {
        const before = await findAccount(tx, req.id);
        if (!before) throw notFound("account", req.id);
        const beforeView = await auditView(tx, before);
        await deleteAccount(tx, req.id);
        await recordTombstones(tx, version, "account", [req.id]);
        await writeAuditEvent(tx, audit("DeleteAccount", req.id, beforeView));
      });
      return {};
    },

    async testAccount(req) {
      const row = await findAccount(ctx.db, req.id);
      if (!row) throw notFound("account", req.id);
      const platform = row.platform as PlatformName;
      const type = row.type as AccountTypeName;
      const result = await probeAccount(
        {
          platform,
          type,
          baseUrl: accountBaseUrl(row),
          secrets: ctx.cipher.open(row.credentials),
          model: req.model.trim(),
        },
        ctx.allowPrivateUpstreams,
      );
      ctx.log({ level: "info", msg: "account tested", accountId: row.id, ok: result.ok, status: result.statusCode });
      return {
        ok: result.ok,
        statusCode: result.statusCode,
        latencyMs: BigInt(result.latencyMs),
        message: result.message,
      };
    },

    async clearAccountState(req) {
      const account = await ctx.change(async (tx, version) => {
        const before = await findAccount(tx, req.id);
        if (!before) throw notFound("account", req.id);
        const beforeView = await auditView(tx, before);
        const row = await clearState(tx, before, version);
        await writeAuditEvent(tx, audit("ClearAccountState", row.id, beforeView, await auditView(tx, row)));
        return view(tx, row);
      });
      return { account };
    },
  };
}

/** Clears cooldowns and errors, brings an account in error back, and bumps state_epoch so data planes drop theirs. */
function clearState(tx: Tx, account: AccountRow, version: number): Promise<AccountRow> {
  return updateAccount(
    tx,
    account.id,
    {
      ...CLEARED_STATE,
      status: account.status === "error" ? "active" : account.status,
      stateEpoch: account.stateEpoch + 1,
    },
    version,
  );
}
