import { type Atto, parseDecimal } from "../../common/money.js";
import { ApiKeyStatus } from "../../gen/tollgate/admin/v1/api_key_pb.js";

// The status admins and data planes see. Only active/disabled is stored; expiry and quota exhaustion are
// derived, so ResetQuota and ClearExpiration bring a key back by changing the facts, not a flag.
// db/api-keys.ts `statusCondition` is the same rule in SQL, for the ListApiKeys filter.
export interface KeyStatusFacts {
  status: string;
  expiresAt: Date | null;
  quota: Atto;
  quotaUsed: Atto;
}

export function effectiveKeyStatus(key: KeyStatusFacts, now: Date): ApiKeyStatus {
  if (key.status === "disabled") return ApiKeyStatus.DISABLED;
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return ApiKeyStatus.EXPIRED;
  if (key.quota > 0n && key.quotaUsed >= key.quota) return ApiKeyStatus.QUOTA_EXHAUSTED;
  return ApiKeyStatus.ACTIVE;
}

/** The same for a stored row, whose quota columns are decimal strings. */
export function storedKeyStatus(
  row: { status: string; expiresAt: Date | null; quota: string; quotaUsed: string },
  now: Date,
): ApiKeyStatus {
  const quota = parseDecimal(row.quota) ?? 0n;
  const quotaUsed = parseDecimal(row.quotaUsed) ?? 0n;
  return effectiveKeyStatus({ status: row.status, expiresAt: row.expiresAt, quota, quotaUsed }, now);
}
