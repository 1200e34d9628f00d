import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import { type AccountState, AccountStateSchema } from "../../gen/tollgate/admin/v1/account_pb.js";
import type { PlaneService } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { AccountRuntimeState } from "../store/routing-store.js";

// Runtime account state lives in the routing store for the hot path; admins see it through the
// control plane (GetAccount/ListAccounts), so each change is reported there too. Best effort: the
// store stays the truth for routing, and the next change reports the whole state again.

export function accountState(runtime: AccountRuntimeState | undefined): AccountState {
  const ts = (ms: number | undefined) => (ms && ms > Date.now() ? timestampFromMs(ms) : undefined);
  return create(AccountStateSchema, {
    rateLimitedUntil: ts(runtime?.rateLimitedUntil),
    overloadedUntil: ts(runtime?.overloadedUntil),
    tempUnschedulableUntil: ts(runtime?.tempUnschedulableUntil),
    reason: runtime?.tempUnschedulableReason ?? "",
    lastError: runtime?.errorMessage ?? "",
    lastErrorAt: runtime?.inError ? timestampFromMs(Date.now()) : undefined,
    lastUsedAt: runtime?.lastUsedAt ? timestampFromMs(runtime.lastUsedAt) : undefined,
  });
}

export async function reportAccountState(
  client: Client<typeof PlaneService>,
  accountId: string,
  runtime: AccountRuntimeState | undefined,
  credentialsRejected: boolean,
): Promise<void> {
  await client.reportAccountState(
    { accountId, state: accountState(runtime), credentialsRejected },
    { timeoutMs: 5_000 },
  );
}
