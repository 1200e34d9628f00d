import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type ApiKey,
  ApiKeyStatus,
  type CreateApiKeyRequestSchema,
  type UpdateApiKeyRequestSchema,
} from "../../../../gen/tollgate/admin/v1/api_key_pb.js";
import { sameStrings } from "../../lib/changed-fields.js";
import { fromLocalInput, toLocalInput } from "../../lib/dates.js";
import { readIpEntries } from "../../lib/ip-entries.js";

// The key dialog's state and the requests it makes. An update sends only what changed (UpdateApiKey's
// fields are optional; the IP lists are StringList wrappers so "clear" and "unchanged" differ), and
// removing an expiration is a separate call, ClearExpiration.

export interface KeyForm {
  name: string;
  userId: string;
  groupId: string;
  status: ApiKeyStatus;
  /** USD decimal; empty or "0" = unlimited. */
  quotaUsd: string;
  /** datetime-local value; empty = never expires. */
  expiresAt: string;
  ipRestricted: boolean;
  /** One entry per line. */
  ipWhitelist: string;
  ipBlacklist: string;
}

export function emptyKeyForm(): KeyForm {
  return {
    name: "",
    userId: "",
    groupId: "",
    status: ApiKeyStatus.ACTIVE,
    quotaUsd: "",
    expiresAt: "",
    ipRestricted: false,
    ipWhitelist: "",
    ipBlacklist: "",
  };
}

export function keyFormOf(key: ApiKey): KeyForm {
  return {
    name: key.name,
    userId: key.userId,
    groupId: key.groupId,
    status: key.status,
    quotaUsd: key.quotaUsd === "0" ? "" : key.quotaUsd,
    expiresAt: key.expiresAt ? toLocalInput(timestampDate(key.expiresAt)) : "",
    ipRestricted: key.ipWhitelist.length + key.ipBlacklist.length > 0,
    ipWhitelist: key.ipWhitelist.join("\n"),
    ipBlacklist: key.ipBlacklist.join("\n"),
  };
}

function ipLists(form: KeyForm): { whitelist: string[]; blacklist: string[] } {
  if (!form.ipRestricted) return { whitelist: [], blacklist: [] };
  return { whitelist: readIpEntries(form.ipWhitelist).entries, blacklist: readIpEntries(form.ipBlacklist).entries };
}

/** Whether the form can be sent: IP entries parse and a typed expiration reads as a date. */
export function keyFormValid(form: KeyForm): boolean {
  const ipOk =
    !form.ipRestricted ||
    (readIpEntries(form.ipWhitelist).errors.length === 0 && readIpEntries(form.ipBlacklist).errors.length === 0);
  return ipOk && (form.expiresAt === "" || fromLocalInput(form.expiresAt) !== undefined);
}

export function createKeyRequest(form: KeyForm): MessageInitShape<typeof CreateApiKeyRequestSchema> {
  const expires = fromLocalInput(form.expiresAt);
  const { whitelist, blacklist } = ipLists(form);
  return {
    userId: form.userId,
    name: form.name.trim(),
    groupId: form.groupId,
    quotaUsd: form.quotaUsd.trim(),
    expiresAt: expires ? timestampFromDate(expires) : undefined,
    ipWhitelist: whitelist,
    ipBlacklist: blacklist,
  };
}

export interface KeyUpdate {
  update: MessageInitShape<typeof UpdateApiKeyRequestSchema>;
  /** The expiration was removed: call ClearExpiration too. */
  clearExpiration: boolean;
}

export function updateKeyRequest(original: ApiKey, form: KeyForm): KeyUpdate {
  const update: MessageInitShape<typeof UpdateApiKeyRequestSchema> = { id: original.id };
  const before = keyFormOf(original);
  if (form.name.trim() !== original.name) update.name = form.name.trim();
  if (form.groupId !== original.groupId) update.groupId = form.groupId;
  if (form.status !== original.status) update.status = form.status;
  const quota = form.quotaUsd.trim() === "" ? "0" : form.quotaUsd.trim();
  if (quota !== original.quotaUsd) update.quotaUsd = quota;
  const expires = fromLocalInput(form.expiresAt);
  if (expires && form.expiresAt !== before.expiresAt) update.expiresAt = timestampFromDate(expires);
  const { whitelist, blacklist } = ipLists(form);
  if (!sameStrings(whitelist, original.ipWhitelist)) update.ipWhitelist = { values: whitelist };
  if (!sameStrings(blacklist, original.ipBlacklist)) update.ipBlacklist = { values: blacklist };
  return { update, clearExpiration: form.expiresAt === "" && original.expiresAt !== undefined };
}
