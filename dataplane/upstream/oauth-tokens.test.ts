import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { AccountType } from "../../gen/tollgate/admin/v1/account_pb.js";
import { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import { type Account, AccountSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import { MemoryRoutingState, openMemoryStore } from "../store/memory-store.js";
import { OAuthTokens, type TokenSet } from "./oauth-tokens.js";

// Two data planes (two OAuthTokens on one shared routing state) and one rotating token endpoint (the
// provider, faked): a refresh token works once, so a second refresh with it means a broken account.

function account(accessToken: string, refreshToken: string, expiresAtMs: number): Account {
  return create(AccountSchema, {
    id: "acct-1",
    platform: Platform.ANTHROPIC,
    type: AccountType.OAUTH,
    accessToken,
    refreshToken,
    tokenExpiresAt: timestampFromMs(expiresAtMs),
  });
}

function provider() {
  const used: string[] = [];
  let issued = 0;
  const fetch = (async (_url: unknown, init?: RequestInit) => {
    const refreshToken = new URLSearchParams(String(init?.body)).get("refresh_token") ?? "";
    if (used.includes(refreshToken)) return Response.json({ error: "invalid_grant" }, { status: 400 });
    used.push(refreshToken);
    issued++;
    return Response.json({ access_token: `at-${issued}`, refresh_token: `rt-${issued}`, expires_in: 3600 });
  }) as typeof globalThis.fetch;
  return { fetch, used };
}

describe("OAuthTokens across data planes", () => {
  it("refreshes once although the other data plane's config shows the new token later", async () => {
    const state = new MemoryRoutingState();
    const { fetch, used } = provider();
    const stale = account("at-0", "rt-0", Date.now() + 3600_000);
    // Data plane A's config follows what is persisted at once; B's lags behind by 300 ms.
    let configA = stale;
    let configB = stale;
    const persist = async (_id: string, tokens: TokenSet) => {
      const next = account(tokens.accessToken, tokens.refreshToken, tokens.expiresAtMs);
      configA = next;
      setTimeout(() => {
        configB = next;
      }, 300);
    };
    const options = {
      endpoints: new Map([[Platform.ANTHROPIC, { tokenUrl: "https://x", clientId: "", clientSecret: "" }]]),
      persist,
      log: () => {},
      fetch,
    };
    const a = new OAuthTokens({ ...options, store: openMemoryStore({ state }), current: () => configA });
    const b = new OAuthTokens({ ...options, store: openMemoryStore({ state }), current: () => configB });

    // A gets a 401 for the old token and refreshes. A moment later, once A's own config shows the new
    // pair but B's does not yet, B gets a 401 for the old token too.
    const refreshedByA = await a.credentialsFor(stale, { forceRefresh: true });
    expect(refreshedByA.accessToken).toBe("at-1");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refreshedByB = await b.credentialsFor(stale, { forceRefresh: true });

    expect(refreshedByB.accessToken).toBe("at-1");
    expect(used).toEqual(["rt-0"]);
  });
});
