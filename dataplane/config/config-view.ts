import type { Account, ApiKey, ConfigUpdate, Group, ModelPrice, User } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { ResourceKind } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { LayeredMap } from "./layered-map.js";

// The data plane's whole configuration: an immutable, versioned view built from the control plane's
// snapshot and deltas (go-control-plane style). A new view is built per update and swapped in one
// step, so a request always sees one consistent version.

export interface ConfigView {
  readonly version: bigint;
  /** The version of the last update that changed an account (or the snapshot's). */
  readonly accountsVersion: bigint;
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
  accountsVersion: 0n,
  keysByHash: new Map(),
  keysById: new Map(),
  users: new Map(),
  groups: new Map(),
  accounts: new Map(),
  accountsByGroup: new Map(),
  prices: new Map(),
};

// The changes one update makes to one of the view's maps, read through to the previous view's map;
// the result shares that map's entries (layered-map.ts) instead of copying them.
class Draft<K, V> {
  private readonly changes = new Map<K, V | undefined>();
  private readonly base: LayeredMap<K, V>;

  constructor(base: ReadonlyMap<K, V>) {
    this.base = LayeredMap.from(base);
  }

  get(key: K): V | undefined {
    return this.changes.has(key) ? this.changes.get(key) : this.base.get(key);
  }

  get changed(): boolean {
    return this.changes.size > 0;
  }

  set(key: K, value: V): void {
    this.changes.set(key, value);
  }

  delete(key: K): void {
    this.changes.set(key, undefined);
  }

  result(): LayeredMap<K, V> {
    return this.base.with(this.changes);
  }
}

/** Applies a snapshot or delta; returns a new view (the old one is untouched). */
export function applyConfigUpdate(view: ConfigView, update: ConfigUpdate): ConfigView {
  const base = update.snapshot ? EMPTY_CONFIG : view;
  const keysById = new Draft(base.keysById);
  const keysByHash = new Draft(base.keysByHash);
  const users = new Draft(base.users);
  const groups = new Draft(base.groups);
  const accounts = new Draft(base.accounts);
  const prices = new Draft(base.prices);
  const unhash = (id: string) => {
    const old = keysById.get(id);
    if (old && keysByHash.get(old.secretHash) === old) keysByHash.delete(old.secretHash);
  };

  for (const ref of update.deletes) {
    switch (ref.kind) {
      case ResourceKind.API_KEY:
        unhash(ref.id);
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
        unhash(resource.value.id);
        keysById.set(resource.value.id, resource.value);
        keysByHash.set(resource.value.secretHash, resource.value);
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

  const accountsNow = accounts.result();
  return {
    version: update.version,
    accountsVersion: accounts.changed || update.snapshot ? update.version : base.accountsVersion,
    keysByHash: keysByHash.result(),
    keysById: keysById.result(),
    users: users.result(),
    groups: groups.result(),
    accounts: accountsNow,
    accountsByGroup: accounts.changed ? indexAccountsByGroup(accountsNow.values()) : base.accountsByGroup,
    prices: prices.result(),
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

/**
 * References that do not resolve; a consistent view has none. Logged, not fatal: requests that touch
 * them fail cleanly. Given the delta that made the view and it deletes nothing, only what it added or
 * replaced can dangle, so only that is checked (a billing delta of a big config is not a full scan).
 */
export function findInconsistencies(view: ConfigView, update?: ConfigUpdate): string[] {
  const whole = !update || update.snapshot || update.deletes.length > 0;
  const keys: ApiKey[] = [];
  const groups: Group[] = [];
  const accounts: Account[] = [];
  for (const { resource } of whole ? [] : (update?.upserts ?? [])) {
    if (resource.case === "apiKey") keys.push(resource.value);
    else if (resource.case === "group") groups.push(resource.value);
    else if (resource.case === "account") accounts.push(resource.value);
  }
  const problems: string[] = [];
  for (const key of whole ? view.keysById.values() : keys) {
    if (!view.users.has(key.userId)) problems.push(`api key ${key.id}: user ${key.userId} missing`);
    if (!view.groups.has(key.groupId)) problems.push(`api key ${key.id}: group ${key.groupId} missing`);
  }
  for (const group of whole ? view.groups.values() : groups) {
    if (group.fallbackGroupId && !view.groups.has(group.fallbackGroupId)) {
      problems.push(`group ${group.id}: fallback group ${group.fallbackGroupId} missing`);
    }
  }
  for (const account of whole ? view.accounts.values() : accounts) {
    for (const groupId of account.groupIds) {
      if (!view.groups.has(groupId)) problems.push(`account ${account.id}: group ${groupId} missing`);
    }
  }
  return problems;
}
