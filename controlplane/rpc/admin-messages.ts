import { create, toJson } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Account, AccountSchema } from "../../gen/tollgate/admin/v1/account_pb.js";
import { type ApiKey, ApiKeySchema } from "../../gen/tollgate/admin/v1/api_key_pb.js";
import { type AuditEvent, AuditEventSchema } from "../../gen/tollgate/admin/v1/audit_pb.js";
import { type Group, GroupSchema } from "../../gen/tollgate/admin/v1/group_pb.js";
import { type User, UserSchema } from "../../gen/tollgate/admin/v1/user_pb.js";
import { accountBaseUrl } from "../accounts/base-url.js";
import type { AccountRow } from "../db/accounts.js";
import type { ApiKeyRow } from "../db/api-keys.js";
import type { AuditEventRow } from "../db/audit-events.js";
import type { GroupRow } from "../db/groups.js";
import type { UserRow } from "../db/users.js";
import { storedKeyStatus } from "../keys/key-status.js";
import {
  ACCOUNT_STATUS,
  ACCOUNT_TYPE,
  decimalText,
  GROUP_STATUS,
  platformEnum,
  USER_STATUS,
} from "../stored-values.js";

// Database rows -> admin API messages. Nothing secret is in a row's admin view: API keys show their
// prefix, accounts never show credentials.

const ts = (date: Date | null) => (date ? timestampFromDate(date) : undefined);

export function userMessage(row: UserRow): User {
  return create(UserSchema, {
    id: row.id,
    email: row.email,
    name: row.name,
    status: USER_STATUS[row.status],
    balanceUsd: decimalText(row.balance),
    concurrency: row.concurrency,
    createdAt: ts(row.createdAt),
    updatedAt: ts(row.updatedAt),
  });
}

export function apiKeyMessage(row: ApiKeyRow, now: Date): ApiKey {
  return create(ApiKeySchema, {
    id: row.id,
    userId: row.userId,
    name: row.name,
    groupId: row.groupId,
    status: storedKeyStatus(row, now),
    keyPrefix: row.keyPrefix,
    quotaUsd: decimalText(row.quota),
    quotaUsedUsd: decimalText(row.quotaUsed),
    expiresAt: ts(row.expiresAt),
    ipWhitelist: row.ipWhitelist,
    ipBlacklist: row.ipBlacklist,
    createdAt: ts(row.createdAt),
    lastUsedAt: ts(row.lastUsedAt),
  });
}

export function groupMessage(row: GroupRow): Group {
  return create(GroupSchema, {
    id: row.id,
    name: row.name,
    platform: platformEnum(row.platform),
    rateMultiplier: decimalText(row.rateMultiplier),
    claudeCodeOnly: row.claudeCodeOnly,
    fallbackGroupId: row.fallbackGroupId ?? "",
    status: GROUP_STATUS[row.status],
    description: row.description,
    createdAt: ts(row.createdAt),
    updatedAt: ts(row.updatedAt),
  });
}

export function accountMessage(row: AccountRow, groupIds: string[]): Account {
  const hasState =
    row.tempUnschedulableUntil ||
    row.rateLimitedUntil ||
    row.overloadedUntil ||
    row.lastError ||
    row.stateReason ||
    row.lastUsedAt ||
    row.lastErrorAt;
  return create(AccountSchema, {
    id: row.id,
    name: row.name,
    platform: platformEnum(row.platform),
    type: ACCOUNT_TYPE[row.type],
    baseUrl: row.baseUrl,
    groupIds,
    priority: row.priority,
    concurrency: row.concurrency,
    schedulable: row.schedulable,
    status: ACCOUNT_STATUS[row.status],
    state: hasState
      ? {
          tempUnschedulableUntil: ts(row.tempUnschedulableUntil),
          reason: row.stateReason,
          rateLimitedUntil: ts(row.rateLimitedUntil),
          overloadedUntil: ts(row.overloadedUntil),
          lastError: row.lastError,
          lastUsedAt: ts(row.lastUsedAt),
          lastErrorAt: ts(row.lastErrorAt),
        }
      : undefined,
    models: row.models,
    effectiveBaseUrl: accountBaseUrl(row),
    tokenExpiresAt: ts(row.tokenExpiresAt),
    createdAt: ts(row.createdAt),
    updatedAt: ts(row.updatedAt),
  });
}

export function auditEventMessage(row: AuditEventRow): AuditEvent {
  return create(AuditEventSchema, {
    id: row.id,
    actor: row.actor,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    beforeJson: row.beforeJson,
    afterJson: row.afterJson,
    createdAt: ts(row.createdAt),
  });
}

/** The JSON view an audit event records. */
export const auditJson = {
  user: (m: User) => toJson(UserSchema, m),
  apiKey: (m: ApiKey) => toJson(ApiKeySchema, m),
  group: (m: Group) => toJson(GroupSchema, m),
  account: (m: Account) => toJson(AccountSchema, m),
};
