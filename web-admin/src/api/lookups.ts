import { useQuery } from "@connectrpc/connect-query";
import { GroupService } from "../../../gen/tollgate/admin/v1/group_pb.js";
import { UserService } from "../../../gen/tollgate/admin/v1/user_pb.js";

// Pickers and name columns need whole lists of groups and users; one page of the largest size the API
// allows covers an admin's scale (the tables themselves page).

const ALL = { pageSize: 500 };

export function useAllGroups() {
  return useQuery(GroupService.method.listGroups, ALL);
}

export function useAllUsers() {
  return useQuery(UserService.method.listUsers, ALL);
}

/** id -> display name, falling back to the id for entities beyond the first page. */
export function nameOf(list: readonly { id: string }[] | undefined, label: (item: never) => string) {
  const names = new Map((list ?? []).map((item) => [item.id, label(item as never)]));
  return (id: string) => (id === "" ? "" : (names.get(id) ?? id));
}
