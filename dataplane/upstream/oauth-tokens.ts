import { create } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { AccountType } from "../../gen/tollgate/admin/v1/account_pb.js";
import type { Platform } from "../../gen/tollgate/admin/v1/common_pb.js";
import { type Account, AccountSchema } from "../../gen/tollgate/plane/v1/plane_pb.js";
import type { RoutingStore } from "../store/routing-store.js";
import { sleep } from "../sync/sleep.js";
import type { OAuthEndpoint } from "./oauth-endpoints.js";

// OAuth accounts' access tokens are refreshed shortly before they expire, and at once when the
// upstream says 401 (DESIGN §5.8, issue: routing). Refresh tokens rotate (each works once), so only
// one data plane refreshes an account at a time: the refresh runs under the store's lock, and the
// holder keeps it until the new token is persisted through the control plane and back in this data
// plane's config, which is when the other data planes receive it too. Until then, or for good when the
// control plane cannot be reached (the provider has already spent the old refresh token), this data
// plane uses the new token from its own memory.

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  expiresAtMs: number;
}

/** A refresh made here, kept while the config still holds the access token it replaced. */
interface Refreshed extends TokenSet {
  replaces: string;
}

export interface OAuthTokensOptions {
  store: Pick<RoutingStore, "withLock">;
  endpoints: ReadonlyMap<Platform, OAuthEndpoint>;
  /** Persists through the control plane (PersistOAuthToken); resolves when it committed. */
  persist(accountId: string, tokens: TokenSet): Promise<void>;
  /** The account as the current config has it. */
  current(accountId: string): Account | undefined;
  log: (message: string, detail: Record<string, unknown>) => void;
  /** Refresh when the token has less than this left. */
  refreshBeforeMs?: number;
  fetch?: typeof fetch;
}

const LOCK_TTL_MS = 30_000;
// How long the refresh lock is kept after this data plane's config shows the new token.
const SETTLE_MS = 2_000;
const WAIT_FOR_OTHER_MS = 10_000;

export class OAuthTokens {
  private readonly fresh = new Map<string, Refreshed>();
  private readonly refreshBeforeMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: OAuthTokensOptions) {
    this.refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
    this.fetch = options.fetch ?? fetch;
  }

  /** Answered at once, not as a promise, unless a token has to be refreshed first. */
  credentialsFor(account: Account, options: { forceRefresh?: boolean } = {}): Account | Promise<Account> {
    if (account.type !== AccountType.OAUTH) return account;
    const tokens = this.tokensOf(account);
    const stale = tokens.expiresAtMs - Date.now() < this.refreshBeforeMs;
    if (!stale && !options.forceRefresh) return withTokens(account, tokens);
    return this.refreshed(account, tokens);
  }

  private async refreshed(account: Account, tokens: TokenSet): Promise<Account> {
    // A failed refresh is logged and the old token tried: the upstream's 401 then lets failover
    // put the account in error and move on.
    const refreshed = await this.refresh(account, tokens).catch((error: unknown) => {
      this.options.log("oauth refresh failed", { accountId: account.id, error: (error as Error).message });
      return undefined;
    });
    return withTokens(account, refreshed ?? tokens);
  }

  /** The newest tokens known here: the config's, unless this data plane refreshed since. */
  private tokensOf(account: Account): TokenSet {
    const configured: TokenSet = {
      accessToken: account.accessToken,
      refreshToken: account.refreshToken,
      expiresAtMs: account.tokenExpiresAt ? Number(timestampMs(account.tokenExpiresAt)) : 0,
    };
    const mine = this.fresh.get(account.id);
    // The config is behind until it shows another token (this one, or a newer one set elsewhere).
    if (mine && mine.replaces === configured.accessToken) return mine;
    if (mine) this.fresh.delete(account.id);
    return configured;
  }

  private async refresh(account: Account, before: TokenSet): Promise<TokenSet | undefined> {
    // The request that needed the token goes on once the new pair is persisted; the lock is held a
    // little longer (below), so no other data plane refreshes again with the spent refresh token.
    let handOver: (tokens: TokenSet) => void = () => {};
    const handedOver = new Promise<TokenSet>((resolve) => {
      handOver = resolve;
    });
    const locked = this.options.store.withLock(`oauth:${account.id}`, LOCK_TTL_MS, async (signal) => {
      // Another data plane may have refreshed while this one waited for the lock.
      const latest = this.options.current(account.id);
      const now = latest ? this.tokensOf(latest) : before;
      if (now.accessToken !== before.accessToken) return now;
      const tokens = await this.requestTokens(account, before.refreshToken);
      // Replaces what the config shows, which may be behind `before` (an earlier refresh made here).
      this.fresh.set(account.id, { ...tokens, replaces: (latest ?? account).accessToken });
      try {
        await this.options.persist(account.id, tokens);
        handOver(tokens);
        await this.waitForConfig(account.id, tokens.accessToken);
        // Refresh tokens rotate: another data plane that takes the lock before its own config shows
        // the new pair would spend the old refresh token again (some providers then revoke the whole
        // grant). Config reaches every data plane at about the same time, so holding the lock a
        // moment past this one's copy closes that window.
        await sleep(SETTLE_MS, signal);
      } catch (error) {
        // The new pair is the only usable one now: serve with it from memory.
        this.options.log("oauth token not persisted", { accountId: account.id, error: (error as Error).message });
      }
      handOver(tokens);
      return tokens;
    });
    const result = await Promise.race([handedOver.then((value) => ({ acquired: true as const, value })), locked]);
    if (result.acquired) return result.value;
    // Another data plane is refreshing: its token arrives through config.
    await this.waitForConfig(account.id, before.accessToken, true);
    const latest = this.options.current(account.id);
    return latest ? this.tokensOf(latest) : undefined;
  }

  private async requestTokens(account: Account, refreshToken: string): Promise<TokenSet> {
    const endpoint = this.options.endpoints.get(account.platform);
    if (!endpoint) throw new Error(`no OAuth token endpoint for platform ${account.platform}`);
    const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken });
    if (endpoint.clientId) form.set("client_id", endpoint.clientId);
    if (endpoint.clientSecret) form.set("client_secret", endpoint.clientSecret);
    const response = await this.fetch(endpoint.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form,
      redirect: "manual",
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok || typeof body.access_token !== "string") {
      // Never log the tokens: only the status and the provider's error code.
      this.options.log("oauth refresh refused", { accountId: account.id, status: response.status, error: body.error });
      throw new Error(`token refresh failed with status ${response.status}`);
    }
    const expiresIn = typeof body.expires_in === "number" ? body.expires_in : 3600;
    return {
      accessToken: body.access_token,
      refreshToken: typeof body.refresh_token === "string" ? body.refresh_token : refreshToken,
      expiresAtMs: Date.now() + expiresIn * 1000,
    };
  }

  /** Waits until the config holds this access token (or, with `changed`, any other one). */
  private async waitForConfig(accountId: string, accessToken: string, changed = false): Promise<void> {
    const deadline = Date.now() + WAIT_FOR_OTHER_MS;
    while (Date.now() < deadline) {
      const token = this.options.current(accountId)?.accessToken;
      if (changed ? token !== accessToken : token === accessToken) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

function withTokens(account: Account, tokens: TokenSet): Account {
  if (account.accessToken === tokens.accessToken) return account;
  return create(AccountSchema, {
    ...account,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    tokenExpiresAt: timestampFromMs(tokens.expiresAtMs),
  });
}
