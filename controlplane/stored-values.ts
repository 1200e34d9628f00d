import { formatDecimal, parseDecimal } from "../common/money.js";
import { AccountStatus, AccountType } from "../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../gen/tollgate/admin/v1/common_pb.js";
import { GroupStatus } from "../gen/tollgate/admin/v1/group_pb.js";
import { UserStatus } from "../gen/tollgate/admin/v1/user_pb.js";

// Stored column values <-> the API's enums and decimal strings.
const NAMES = {
  [Platform.ANTHROPIC]: "anthropic",
  [Platform.OPENAI]: "openai",
  [Platform.GEMINI]: "gemini",
  [Platform.ANTIGRAVITY]: "antigravity",
} as const;

export type PlatformName = (typeof NAMES)[keyof typeof NAMES];

export function platformName(platform: Platform): PlatformName | undefined {
  return platform === Platform.UNSPECIFIED ? undefined : NAMES[platform];
}

export function platformEnum(name: string): Platform {
  for (const [value, stored] of Object.entries(NAMES)) if (stored === name) return Number(value) as Platform;
  return Platform.UNSPECIFIED;
}

/** Numeric columns come back padded ("1.500000000000000000"); the API shows the shortest exact form. */
export function decimalText(value: string): string {
  return formatDecimal(parseDecimal(value) ?? 0n);
}

export const USER_STATUS: Record<string, UserStatus> = { active: UserStatus.ACTIVE, disabled: UserStatus.DISABLED };
export const GROUP_STATUS: Record<string, GroupStatus> = { active: GroupStatus.ACTIVE, disabled: GroupStatus.DISABLED };
export const ACCOUNT_STATUS: Record<string, AccountStatus> = {
  active: AccountStatus.ACTIVE,
  disabled: AccountStatus.DISABLED,
  error: AccountStatus.ERROR,
};
export const ACCOUNT_TYPE: Record<string, AccountType> = { apikey: AccountType.APIKEY, oauth: AccountType.OAUTH };
