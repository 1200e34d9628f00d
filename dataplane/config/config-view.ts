import type { Account, ApiKey, ConfigUpdate, Group, ModelPrice, User } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { ResourceKind } from "../../gen/tollgate/plane/v1/plane_pb.js";

// The data plane's whole configuration: an immutable, versioned view built from the control plane's
// snapshot and deltas (go-control-plane style). A new view is built per update and swapped in one
// step, so a request always sees one consistent version.

export interface ConfigView {
  readonly version: bigint;
  readonly keysByHash: ReadonlyMap<string, ApiKey>;
  readonly keysById: ReadonlyMap<string, ApiKey>;
  readonly users: ReadonlyMap<string, User>;
  readonly groups: ReadonlyMap<string, Group>;
  readonly accounts: ReadonlyMap<string, Account>;
  /** Accounts of each group, in a stable order (by priority, then id). */
  readonly accountsByGroup: ReadonlyMap<string, readonly Account[]>;
  readonly prices: ReadonlyMap<string, ModelPrice>;
}

export const EMPTY_CONFIG: ConfigView = {
  version: 0n,
  keysByHash: new Map(),
  keysById: new Map(),
  users: new Map(),
  groups: new Map(),
  accounts: new Map(),
  accountsByGroup: new Map(),
  prices: new Map(),
};

/** Applies a snapshot or delta; returns a new view (the old one is untouched). */
export function applyConfigUpdate(view: ConfigView, update: ConfigUpdate): ConfigView {
  const base = update.snapshot ? EMPTY_CONFIG : view;
  const keysById = new Map(base.keysById);
  const users = new Map(base.users);
  const groups = new Map(base.groups);
  const accounts = new Map(base.accounts);
  const prices = new Map(base.prices);

  for (const ref of update.deletes) {
    switch (ref.kind) {
      case ResourceKind.API_KEY:
        keysById.delete(ref.id);
        break;
      case ResourceKind.USER:
        users.delete(ref.id);
        break;
      case ResourceKind.GROUP:
        groups.delete(ref.id);
        break;
      case ResourceKind.ACCOUNT:
        accounts.delete(ref.id);
        break;
      case ResourceKind.MODEL_PRICE:
        prices.delete(ref.id);
        break;
      default:
        break;
    }
  }
  for (const { resource } of update.upserts) {
    switch (resource.case) {
      case "apiKey":
        keysById.set(resource.value.id, resource.value);
        break;
      case "user":
        users.set(resource.value.id, resource.value);
        break;
      case "group":
        groups.set(resource.value.id, resource.value);
        break;
      case "account":
        accounts.set(resource.value.id, resource.value);
        break;
      case "modelPrice":
        prices.set(resource.value.model, resource.value);
        break;
      default:
        break;
    }
  }

  const keysByHash = new Map<string, ApiKey>();
  for (const key of keysById.values()) keysByHash.set(key.secretHash, key);
  return {
    version: update.version,
    keysByHash,
    keysById,
    users,
    groups,
    accounts,
    accountsByGroup: indexAccountsByGroup(accounts.values()),
    prices,
  };
}

function indexAccountsByGroup(accounts: Iterable<Account>): Map<string, Account[]> {
  const byGroup = new Map<string, Account[]>();
  for (const account of accounts) {
    for (const groupId of account.groupIds) {
      let list = byGroup.get(groupId);
      if (!list) {
        list = [];
        byGroup.set(groupId, list);
      }
      list.push(account);
    }
  }
  for (const list of byGroup.values()) {
    list.sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  return byGroup;
}

/** References that do not resolve; a consistent view has none. Logged, not fatal: requests that touch them fail cleanly. */
export function findInconsistencies(view: ConfigView): string[] {
  const problems: string[] = [];
  for (const key of view.keysById.values()) {
    if (!view.users.has(key.userId)) problems.push(`api key ${key.id}: user ${key.userId} missing`);
    if (!view.groups.has(key.groupId)) problems.push(`api key ${key.id}: group ${key.groupId} missing`);
  }
  for (const group of view.groups.values()) {
    if (group.fallbackGroupId && !view.groups.has(group.fallbackGroupId)) {
      problems.push(`group ${group.id}: fallback group ${group.fallbackGroupId} missing`);
    }
  }
  for (const account of view.accounts.values()) {
    for (const groupId of account.groupIds) {
      if (!view.groups.has(groupId)) problems.push(`account ${account.id}: group ${groupId} missing`);
    }
  }
  return problems;
}
