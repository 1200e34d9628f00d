import { compileIpRules, type IpRule } from "../../common/ip-rules.js";
import { type Atto, parseDecimal } from "../../common/money.js";
import { ApiKeyStatus } from "../../gen/tollgate/admin/v1/api_key_pb.js";
import { GroupStatus } from "../../gen/tollgate/admin/v1/group_pb.js";
import { UserStatus } from "../../gen/tollgate/admin/v1/user_pb.js";
import { ipDecision } from "./client-ip.js";
import { ALLOWED, type PolicyDecision, refuse } from "./policy-decision.js";

// DESIGN §5.2, after the key was found in the pushed config. Records are the generated plane
// messages (ApiKey, User, Group) taken structurally, so callers pass them as they are. Everything
// parseable is parsed once per config update by compileKey/compileUser, never per request.

export interface TimestampLike {
  readonly seconds: bigint;
  readonly nanos: number;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly userId: string;
  readonly groupId: string;
  readonly status: ApiKeyStatus;
  /** Decimal USD; "0" (or empty) = unlimited. */
  readonly quotaUsd: string;
  readonly quotaUsedUsd: string;
  readonly expiresAt?: TimestampLike | undefined;
  readonly ipWhitelist: readonly string[];
  readonly ipBlacklist: readonly string[];
}

export interface UserRecord {
  readonly id: string;
  readonly status: UserStatus;
  readonly balanceUsd: string;
}

export interface GroupStatusRecord {
  readonly id: string;
  readonly status: GroupStatus;
}

export interface CompiledKey<K extends ApiKeyRecord = ApiKeyRecord> {
  readonly record: K;
  /** Undefined = unlimited. */
  readonly quota: Atto | undefined;
  readonly quotaUsed: Atto;
  /** Undefined = never expires. */
  readonly expiresAtMs: number | undefined;
  readonly whitelist: readonly IpRule[];
  readonly blacklist: readonly IpRule[];
}

export interface CompiledUser<U extends UserRecord = UserRecord> {
  readonly record: U;
  readonly balance: Atto;
}

// The control plane validates decimals on save; anything else reads as the proto default "0"
// (so a garbled balance refuses the request, a garbled quota means no quota).
function money(text: string): Atto {
  return parseDecimal(text) ?? 0n;
}

function timestampToMs(timestamp: TimestampLike): number {
  return Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1_000_000);
}

/** A key's quota; undefined when it has none (empty, or not above zero). */
export function keyQuota(quotaUsd: string): Atto | undefined {
  const quota = money(quotaUsd);
  return quota > 0n ? quota : undefined;
}

export function compileKey<K extends ApiKeyRecord>(key: K): CompiledKey<K> {
  return {
    record: key,
    quota: keyQuota(key.quotaUsd),
    quotaUsed: money(key.quotaUsedUsd),
    expiresAtMs: key.expiresAt ? timestampToMs(key.expiresAt) : undefined,
    whitelist: compileIpRules(key.ipWhitelist),
    blacklist: compileIpRules(key.ipBlacklist),
  };
}

export function compileUser<U extends UserRecord>(user: U): CompiledUser<U> {
  return { record: user, balance: money(user.balanceUsd) };
}

const KEY_DISABLED = Object.freeze(refuse("API_KEY_DISABLED", "API key is disabled"));
const KEY_EXPIRED = Object.freeze(refuse("API_KEY_EXPIRED", "API key has expired"));
const QUOTA_EXHAUSTED = Object.freeze(refuse("API_KEY_QUOTA_EXHAUSTED", "API key quota is exhausted"));
const USER_DISABLED = Object.freeze(refuse("USER_DISABLED", "User is disabled"));
const INSUFFICIENT_BALANCE = Object.freeze(refuse("INSUFFICIENT_BALANCE", "Insufficient balance"));
const GROUP_DISABLED = Object.freeze(refuse("GROUP_DISABLED", "Group is disabled"));

/** The key's own state; the control plane may already have flipped its status, or not yet. */
function checkKeyState(key: CompiledKey, now: number): PolicyDecision {
  switch (key.record.status) {
    case ApiKeyStatus.ACTIVE:
      break;
    case ApiKeyStatus.EXPIRED:
      return KEY_EXPIRED;
    case ApiKeyStatus.QUOTA_EXHAUSTED:
      return QUOTA_EXHAUSTED;
    default:
      // DISABLED, and UNSPECIFIED (a record without a status) fails closed.
      return KEY_DISABLED;
  }
  if (key.expiresAtMs !== undefined && now >= key.expiresAtMs) return KEY_EXPIRED;
  if (key.quota !== undefined && key.quotaUsed >= key.quota) return QUOTA_EXHAUSTED;
  return ALLOWED;
}

/**
 * The whole §5.2 decision in its documented order: key disabled (401), expired (403), quota (429),
 * IP refused (403, before anything about the user is revealed), user disabled, balance <= 0 (403),
 * group disabled. A missing user or group (an inconsistent config) refuses like a disabled one.
 */
export function checkKey(
  key: CompiledKey,
  user: CompiledUser | undefined,
  group: GroupStatusRecord | undefined,
  clientIp: string,
  now: number,
): PolicyDecision {
  const keyState = checkKeyState(key, now);
  if (!keyState.ok) return keyState;
  const ip = ipDecision(clientIp, key);
  if (!ip.ok) return ip;
  if (!user || user.record.status !== UserStatus.ACTIVE) return USER_DISABLED;
  if (user.balance <= 0n) return INSUFFICIENT_BALANCE;
  if (!group || group.status !== GroupStatus.ACTIVE) return GROUP_DISABLED;
  return ALLOWED;
}
