import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { formatDecimal } from "../../common/money.js";
import type { Price } from "../../common/pricing.js";
import {
  type Resource,
  ResourceKind,
  type ResourceRef,
  ResourceRefSchema,
  ResourceSchema,
} from "../../gen/tollgate/plane/v1/plane_pb.js";
import { accountBaseUrl } from "../accounts/base-url.js";
import type { CredentialsCipher } from "../accounts/credentials-cipher.js";
import type { AccountRow } from "../db/accounts.js";
import type { ApiKeyRow } from "../db/api-keys.js";
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
import type { ResourceKindName } from "./versions.js";

// Database rows -> what data planes hold (plane.proto): only what the hot path needs, credentials
// decrypted (the stream is authenticated by the node token).

const ts = (date: Date | null) => (date ? timestampFromDate(date) : undefined);

export function apiKeyResource(row: ApiKeyRow, now: Date): Resource {
  return create(ResourceSchema, {
    resource: {
      case: "apiKey",
      value: {
        id: row.id,
        userId: row.userId,
        name: row.name,
        groupId: row.groupId,
        status: storedKeyStatus(row, now),
        secretHash: row.secretHash,
        quotaUsd: decimalText(row.quota),
        quotaUsedUsd: decimalText(row.quotaUsed),
        expiresAt: ts(row.expiresAt),
        ipWhitelist: row.ipWhitelist,
        ipBlacklist: row.ipBlacklist,
      },
    },
  });
}

export function userResource(row: UserRow): Resource {
  return create(ResourceSchema, {
    resource: {
      case: "user",
      value: {
        id: row.id,
        status: USER_STATUS[row.status],
        balanceUsd: decimalText(row.balance),
        concurrency: row.concurrency,
      },
    },
  });
}

export function groupResource(row: GroupRow): Resource {
  return create(ResourceSchema, {
    resource: {
      case: "group",
      value: {
        id: row.id,
        name: row.name,
        platform: platformEnum(row.platform),
        rateMultiplier: decimalText(row.rateMultiplier),
        claudeCodeOnly: row.claudeCodeOnly,
        fallbackGroupId: row.fallbackGroupId ?? "",
        status: GROUP_STATUS[row.status],
      },
    },
  });
}

export function accountResource(row: AccountRow, groupIds: string[], cipher: CredentialsCipher): Resource {
  const secrets = cipher.open(row.credentials);
  return create(ResourceSchema, {
    resource: {
      case: "account",
      value: {
        id: row.id,
        name: row.name,
        platform: platformEnum(row.platform),
        type: ACCOUNT_TYPE[row.type],
        baseUrl: accountBaseUrl(row),
        groupIds,
        priority: row.priority,
        concurrency: row.concurrency,
        schedulable: row.schedulable,
        status: ACCOUNT_STATUS[row.status],
        models: row.models,
        apiKey: secrets.apiKey,
        accessToken: secrets.accessToken,
        refreshToken: secrets.refreshToken,
        tokenExpiresAt: ts(row.tokenExpiresAt),
        stateEpoch: BigInt(row.stateEpoch),
      },
    },
  });
}

export function modelPriceResource(model: string, price: Price): Resource {
  return create(ResourceSchema, {
    resource: {
      case: "modelPrice",
      value: {
        model,
        inputPerMtok: formatDecimal(price.inputPerMtok),
        outputPerMtok: formatDecimal(price.outputPerMtok),
        cacheWritePerMtok: formatDecimal(price.cacheWritePerMtok),
        cacheReadPerMtok: formatDecimal(price.cacheReadPerMtok),
      },
    },
  });
}

const KINDS: Record<ResourceKindName, ResourceKind> = {
  api_key: ResourceKind.API_KEY,
  user: ResourceKind.USER,
  group: ResourceKind.GROUP,
  account: ResourceKind.ACCOUNT,
  model_price: ResourceKind.MODEL_PRICE,
};

export function resourceRef(kind: string, id: string): ResourceRef {
  return create(ResourceRefSchema, { kind: KINDS[kind as ResourceKindName] ?? ResourceKind.UNSPECIFIED, id });
}
