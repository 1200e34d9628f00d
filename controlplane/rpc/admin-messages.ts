import { create, toJson } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { formatDecimal, parseDecimal } from "../../common/money.js";
import { type Account, AccountSchema, AccountStatus, AccountType } from "../../gen/tollgate/admin/v1/account_pb.js";
import { type ApiKey, ApiKeySchema } from "../../gen/tollgate/admin/v1/api_key_pb.js";
import { type AuditEvent, AuditEventSchema } from "../../gen/tollgate/admin/v1/audit_pb.js";
import { type Group, GroupSchema, GroupStatus } from "../../gen/tollgate/admin/v1/group_pb.js";
import { type User, UserSchema, UserStatus } from "../../gen/tollgate/admin/v1/user_pb.js";
import { effectiveBaseUrl } from "../accounts/base-url.js";
import type { AccountRow } from "../db/accounts.js";
import type { ApiKeyRow } from "../db/api-keys.js";
import type { AuditEventRow } from "../db/audit-events.js";
import type { GroupRow } from "../db/groups.js";
import type { UserRow } from "../db/users.js";
import { effectiveKeyStatus } from "../keys/key-status.js";
import { type PlatformName, platformEnum } from "../platforms.js";

// Database rows -> admin API messages. Nothing secret is in a row's admin view: API keys show their
// prefix, accounts never show credentials.

/** Numeric columns come back padded ("1.500000000000000000"); the API shows the shortest exact form. */
export function decimalText(value: string): string {
  return formatDecimal(parseDecimal(value) ?? 0n);
}

const ts = (date: Date | null) => (date ? timestampFromDate(date) : undefined);

export const USER_STATUS: Record<string, UserStatus> = { active: UserStatus.ACTIVE, disabled: UserStatus.DISABLED };
export const GROUP_STATUS: Record<string, GroupStatus> = { active: GroupStatus.ACTIVE, disabled: GroupStatus.DISABLED };
export const ACCOUNT_STATUS: Record<string, AccountStatus> = {
  active: AccountStatus.ACTIVE,
  disabled: AccountStatus.DISABLED,
  error: AccountStatus.ERROR,
};
export const ACCOUNT_TYPE: Record<string, AccountType> = { apikey: AccountType.APIKEY, oauth: AccountType.OAUTH };

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
    status: effectiveKeyStatus(
      {
        status: row.status,
        expiresAt: row.expiresAt,
        quota: parseDecimal(row.quota) ?? 0n,
        quotaUsed: parseDecimal(row.quotaUsed) ?? 0n,
      },
      now,
    ),
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
    effectiveBaseUrl: effectiveBaseUrl(row.platform as PlatformName, row.type as "apikey" | "oauth", row.baseUrl),
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
