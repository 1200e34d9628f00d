import { useQuery } from "@connectrpc/connect-query";
import { AccountService } from "../../../gen/tollgate/admin/v1/account_pb.js";
import { GroupService } from "../../../gen/tollgate/admin/v1/group_pb.js";
import { UserService } from "../../../gen/tollgate/admin/v1/user_pb.js";

// Pickers and name columns need whole lists of groups, users and accounts; one page of the largest size the API
// allows covers an admin's scale (the tables themselves page).

const ALL = { pageSize: 500 };

export function useAllGroups() {
  return useQuery(GroupService.method.listGroups, ALL);
}

export function useAllUsers() {
  return useQuery(UserService.method.listUsers, ALL);
}

/** Account state is refreshed this often where it is shown: cooldowns last a minute or more. */
export const ACCOUNT_POLL_MS = 5_000;

/** Every account, polled so cooldowns, rate limits and errors show as they happen. */
export function useLiveAccounts() {
  return useQuery(AccountService.method.listAccounts, ALL, { refetchInterval: ACCOUNT_POLL_MS });
}

/** id -> display name, falling back to the id for entities beyond the first page. */
export function nameOf<T extends { id: string }>(list: readonly T[] | undefined, label: (item: T) => string) {
  const names = new Map((list ?? []).map((item) => [item.id, label(item)]));
  return (id: string) => (id === "" ? "" : (names.get(id) ?? id));
}
