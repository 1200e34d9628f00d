import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import type { AccountState } from "../../gen/tollgate/admin/v1/account_pb.js";
import type { PlaneService, UsageRecord } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { readConfigUpdate } from "../config/config-reader.js";
import type { ServiceContext } from "../context.js";
import { type AccountStatePatch, findAccount, saveAccountState, updateAccount } from "../db/accounts.js";
import { findApiKey } from "../db/api-keys.js";
import { findUser } from "../db/users.js";
import { decimalText } from "../stored-values.js";
import { pipelined } from "../usage/pipelined.js";
import { decodeUsageRecord } from "../usage/usage-record-decode.js";
import { keyUsage } from "../usage/usage-stats.js";
import { invalidArgument, notFound } from "./errors.js";
import { totalsMessage } from "./usage-service.js";

// Batches one ReportUsage stream may have applying or waiting for publication at once.
const USAGE_BATCHES_IN_FLIGHT = 16;

const date = (value: AccountState["rateLimitedUntil"]) => (value ? timestampDate(value) : null);

function statePatch(state: AccountState | undefined): AccountStatePatch {
  return {
    tempUnschedulableUntil: date(state?.tempUnschedulableUntil),
    stateReason: state?.reason ?? "",
    rateLimitedUntil: date(state?.rateLimitedUntil),
    overloadedUntil: date(state?.overloadedUntil),
    lastError: state?.lastError ?? "",
    lastErrorAt: date(state?.lastErrorAt),
    lastUsedAt: date(state?.lastUsedAt),
  };
}

/** A record as the binary codecs pass it (its bytes, rpc/raw-usage-batches.ts) or as JSON does. */
function usageRecord(record: UsageRecord | Uint8Array): UsageRecord {
  if (!(record instanceof Uint8Array)) return record;
  try {
    return decodeUsageRecord(record);
  } catch (error) {
    throw new ConnectError(`usage record: ${(error as Error).message}`, Code.InvalidArgument);
  }
}

export function planeService(ctx: ServiceContext): ServiceImpl<typeof PlaneService> {
  return {
    async *watchConfig(req, call) {
      const signal = AbortSignal.any([call.signal, ctx.shutdown]);
      ctx.log({
        level: "info",
        msg: "data plane watching config",
        nodeId: req.nodeId,
        knownVersion: String(req.knownVersion),
      });
      // Note the feed generation before reading, so a change committed during the read still wakes us.
      let seen = ctx.feed.generation;
      let version = Number(req.knownVersion);
      const watch = ctx.watchers.open(req.nodeId, version);
      try {
        const first = await readConfigUpdate(ctx.db, ctx.cipher, version);
        if (first) {
          yield first;
          version = Number(first.version);
          watch.at(version);
        }
        while (!signal.aborted) {
          await ctx.feed.wait(seen, signal);
          if (signal.aborted) break;
          seen = ctx.feed.generation;
          const update = await readConfigUpdate(ctx.db, ctx.cipher, version);
          if (!update) continue;
          version = Number(update.version);
          // A version bump that changed nothing this data plane holds needs no message.
          if (update.snapshot || update.upserts.length > 0 || update.deletes.length > 0) yield update;
          watch.at(version);
        }
      } finally {
        watch.close();
      }
      ctx.log({ level: "info", msg: "data plane stopped watching config", nodeId: req.nodeId });
    },

    reportUsage(batches) {
      const unavailable = (batchId: bigint, error: unknown) => {
        // No ack: the data plane keeps the batch spooled and sends it again.
        ctx.log({ level: "error", msg: "usage batch not applied", batchId: String(batchId), error: String(error) });
        return new ConnectError("usage batch not applied; resend it", Code.Unavailable);
      };
      // Acked once applied and published, also for a batch of duplicates: its first delivery may have
      // committed without being published. Later batches of the stream wait in the ingest queue meanwhile.
      return pipelined(
        batches,
        (batch) =>
          ctx.usageIngest
            .submit(batch.records.map(usageRecord))
            .then(async (result) => {
              await ctx.usageVersions.published();
              return { batchId: batch.batchId, applied: result.applied, duplicates: result.duplicates };
            })
            .catch((error: unknown) => {
              throw unavailable(batch.batchId, error);
            }),
        USAGE_BATCHES_IN_FLIGHT,
      );
    },

    async reportAccountState(req) {
      if (req.accountId === "") throw invalidArgument("account_id", "is required");
      const state = statePatch(req.state);
      if (!req.credentialsRejected) {
        if (!(await saveAccountState(ctx.db, req.accountId, state))) throw notFound("account", req.accountId);
        return {};
      }
      await ctx.change(async (tx, version) => {
        const account = await findAccount(tx, req.accountId);
        if (!account) throw notFound("account", req.accountId);
        await updateAccount(
          tx,
          account.id,
          { ...state, status: account.status === "active" ? "error" : account.status },
          version,
        );
      });
      ctx.log({ level: "warn", msg: "account credentials rejected upstream", accountId: req.accountId });
      return {};
    },

    async persistOAuthToken(req) {
      if (req.accountId === "") throw invalidArgument("account_id", "is required");
      if (req.accessToken === "") throw invalidArgument("access_token", "is required");
      await ctx.change(async (tx, version) => {
        const account = await findAccount(tx, req.accountId);
        if (!account) throw notFound("account", req.accountId);
        if (account.type !== "oauth") throw invalidArgument("account_id", "is not an OAuth account");
        const secrets = ctx.cipher.open(account.credentials);
        const credentials = ctx.cipher.seal({
          ...secrets,
          accessToken: req.accessToken,
          refreshToken: req.refreshToken || secrets.refreshToken,
        });
        const tokenExpiresAt = req.expiresAt ? timestampDate(req.expiresAt) : null;
        await updateAccount(tx, account.id, { credentials, tokenExpiresAt }, version);
      });
      return {};
    },

    async getKeyUsage(req) {
      const key = await findApiKey(ctx.db, req.apiKeyId);
      if (!key) throw notFound("API key", req.apiKeyId);
      const user = await findUser(ctx.db, key.userId);
      const usage = await keyUsage(ctx.db, key.id, new Date());
      return {
        today: periodOf(usage.today),
        total: periodOf(usage.total),
        averageDurationMs: usage.total.averageDurationMs,
        rpm: usage.rpm,
        tpm: usage.tpm,
        quotaUsedUsd: decimalText(key.quotaUsed),
        balanceUsd: user ? decimalText(user.balance) : "0",
      };
    },
  };
}

function periodOf(totals: Parameters<typeof totalsMessage>[0]) {
  const t = totalsMessage(totals);
  return {
    requests: t.requests,
    inputTokens: t.inputTokens,
    outputTokens: t.outputTokens,
    cacheCreationTokens: t.cacheCreationTokens,
    cacheReadTokens: t.cacheReadTokens,
    totalTokens: t.totalTokens,
    cost: t.costUsd,
    actualCost: t.actualCostUsd,
  };
}
