import { AccountStatus, AccountType } from "../../../gen/tollgate/admin/v1/account_pb.js";
import { ApiKeyStatus } from "../../../gen/tollgate/admin/v1/api_key_pb.js";
import { Platform } from "../../../gen/tollgate/admin/v1/common_pb.js";
import { GroupStatus } from "../../../gen/tollgate/admin/v1/group_pb.js";
import { UserStatus } from "../../../gen/tollgate/admin/v1/user_pb.js";
import type { MessageKey } from "./en.js";

// Enum values -> message keys, so every status and platform is shown in the chosen language.

export const PLATFORMS = [Platform.ANTHROPIC, Platform.OPENAI, Platform.GEMINI, Platform.ANTIGRAVITY] as const;

export const PLATFORM_LABEL: Record<Platform, MessageKey> = {
  [Platform.UNSPECIFIED]: "common.unspecified",
  [Platform.ANTHROPIC]: "platform.anthropic",
  [Platform.OPENAI]: "platform.openai",
  [Platform.GEMINI]: "platform.gemini",
  [Platform.ANTIGRAVITY]: "platform.antigravity",
};

export const KEY_STATUS_LABEL: Record<ApiKeyStatus, MessageKey> = {
  [ApiKeyStatus.UNSPECIFIED]: "common.unspecified",
  [ApiKeyStatus.ACTIVE]: "status.active",
  [ApiKeyStatus.DISABLED]: "status.disabled",
  [ApiKeyStatus.EXPIRED]: "status.expired",
  [ApiKeyStatus.QUOTA_EXHAUSTED]: "status.quotaExhausted",
};

export const USER_STATUS_LABEL: Record<UserStatus, MessageKey> = {
  [UserStatus.UNSPECIFIED]: "common.unspecified",
  [UserStatus.ACTIVE]: "status.active",
  [UserStatus.DISABLED]: "status.disabled",
};

export const GROUP_STATUS_LABEL: Record<GroupStatus, MessageKey> = {
  [GroupStatus.UNSPECIFIED]: "common.unspecified",
  [GroupStatus.ACTIVE]: "status.active",
  [GroupStatus.DISABLED]: "status.disabled",
};

export const ACCOUNT_STATUS_LABEL: Record<AccountStatus, MessageKey> = {
  [AccountStatus.UNSPECIFIED]: "common.unspecified",
  [AccountStatus.ACTIVE]: "status.active",
  [AccountStatus.DISABLED]: "status.disabled",
  [AccountStatus.ERROR]: "status.error",
};

export const ACCOUNT_TYPE_LABEL: Record<AccountType, MessageKey> = {
  [AccountType.UNSPECIFIED]: "common.unspecified",
  [AccountType.APIKEY]: "accounts.typeApiKey",
  [AccountType.OAUTH]: "accounts.typeOAuth",
};
