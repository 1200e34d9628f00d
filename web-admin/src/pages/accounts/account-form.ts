import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type Account,
  AccountStatus,
  AccountType,
  type CreateAccountRequestSchema,
  type UpdateAccountRequestSchema,
} from "../../../../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../../../../gen/tollgate/admin/v1/common_pb.js";
import { changedFields, sameStrings } from "../../lib/changed-fields.js";
import { fromLocalInput } from "../../lib/dates.js";

// The account dialog's state and its requests. Credentials are write-only: an edit sends them only when
// something was typed, and the group and model lists go as StringList wrappers only when they changed.

export interface AccountForm {
  name: string;
  platform: Platform;
  type: AccountType;
  baseUrl: string;
  groupIds: string[];
  priority: string;
  concurrency: string;
  schedulable: boolean;
  status: AccountStatus;
  /** One model per line or comma-separated; empty = every model of the platform. */
  models: string;
  apiKey: string;
  accessToken: string;
  refreshToken: string;
  /** datetime-local value: when the access token expires; empty = unknown. */
  tokenExpiresAt: string;
}

export function emptyAccountForm(): AccountForm {
  return {
    name: "",
    platform: Platform.ANTHROPIC,
    type: AccountType.APIKEY,
    baseUrl: "",
    groupIds: [],
    priority: "0",
    concurrency: "0",
    schedulable: true,
    status: AccountStatus.ACTIVE,
    models: "",
    apiKey: "",
    accessToken: "",
    refreshToken: "",
    tokenExpiresAt: "",
  };
}

export function accountFormOf(account: Account): AccountForm {
  return {
    ...emptyAccountForm(),
    name: account.name,
    platform: account.platform,
    type: account.type,
    baseUrl: account.baseUrl,
    groupIds: [...account.groupIds],
    priority: String(account.priority),
    concurrency: String(account.concurrency),
    schedulable: account.schedulable,
    status: account.status,
    models: account.models.join("\n"),
  };
}

export function modelList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\n,]/)
        .map((m) => m.trim())
        .filter((m) => m !== ""),
    ),
  ];
}

/** An integer the API takes (int32, not negative); undefined when the text is not one. */
export function wholeNumber(text: string): number | undefined {
  const value = Number(text.trim() === "" ? "0" : text.trim());
  return Number.isInteger(value) && value >= 0 && value <= 2_147_483_647 ? value : undefined;
}

export function accountFormValid(form: AccountForm): boolean {
  const expiryOk = form.tokenExpiresAt === "" || fromLocalInput(form.tokenExpiresAt) !== undefined;
  return wholeNumber(form.priority) !== undefined && wholeNumber(form.concurrency) !== undefined && expiryOk;
}

function credentials(form: AccountForm) {
  if (form.type === AccountType.OAUTH) {
    if (!form.accessToken.trim() && !form.refreshToken.trim()) return undefined;
    const expires = fromLocalInput(form.tokenExpiresAt);
    return {
      accessToken: form.accessToken.trim(),
      refreshToken: form.refreshToken.trim(),
      ...(expires ? { expiresAt: timestampFromDate(expires) } : {}),
    };
  }
  return form.apiKey.trim() ? { apiKey: form.apiKey.trim() } : undefined;
}

export function createAccountRequest(form: AccountForm): MessageInitShape<typeof CreateAccountRequestSchema> {
  return {
    name: form.name.trim(),
    platform: form.platform,
    type: form.type,
    baseUrl: form.baseUrl.trim(),
    groupIds: form.groupIds,
    priority: wholeNumber(form.priority) ?? 0,
    concurrency: wholeNumber(form.concurrency) ?? 0,
    schedulable: form.schedulable,
    // Sent even when empty, so the server names the missing credential field.
    credentials: credentials(form) ?? {},
    models: modelList(form.models),
  };
}

export function updateAccountRequest(
  original: Account,
  form: AccountForm,
): MessageInitShape<typeof UpdateAccountRequestSchema> {
  const values = {
    name: form.name.trim(),
    baseUrl: form.baseUrl.trim(),
    priority: wholeNumber(form.priority) ?? original.priority,
    concurrency: wholeNumber(form.concurrency) ?? original.concurrency,
    schedulable: form.schedulable,
    status: form.status,
  };
  const update: MessageInitShape<typeof UpdateAccountRequestSchema> = {
    id: original.id,
    ...changedFields(original, values, ["name", "baseUrl", "priority", "concurrency", "schedulable", "status"]),
  };
  if (!sameStrings([...form.groupIds].sort(), [...original.groupIds].sort()))
    update.groupIds = { values: form.groupIds };
  const models = modelList(form.models);
  if (!sameStrings(models, original.models)) update.models = { values: models };
  const replaced = credentials(form);
  if (replaced) update.credentials = replaced;
  return update;
}
