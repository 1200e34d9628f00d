import { randomBytes } from "node:crypto";

export interface OAuthGrant {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: "Bearer";
}

/**
 * Which simulated account each credential belongs to. A credential is its own account unless linked;
 * tokens issued by the OAuth endpoint belong to the account of the refresh token they came from.
 */
export class AccountBook {
  private readonly links = new Map<string, string>();
  /** Issued access tokens and when they stop being accepted (epoch ms). */
  private readonly expiries = new Map<string, number>();
  /** Refresh tokens rotate, as Anthropic's and OpenAI's do: each works once. */
  private readonly spentRefreshTokens = new Set<string>();
  private issued = 0;

  accountOf(credential: string): string {
    return this.links.get(credential) ?? credential;
  }

  link(credential: string, account: string): void {
    this.links.set(credential, this.accountOf(account));
  }

  isExpired(credential: string, nowMs: number): boolean {
    const expiry = this.expiries.get(credential);
    return expiry !== undefined && expiry <= nowMs;
  }

  /** A new token pair for the refresh token's account, or null when that refresh token was already used. */
  refresh(refreshToken: string, nowMs: number, expiresInSeconds: number): OAuthGrant | null {
    if (this.spentRefreshTokens.has(refreshToken)) return null;
    this.spentRefreshTokens.add(refreshToken);
    const account = this.accountOf(refreshToken);
    const serial = (++this.issued).toString(36);
    const grant: OAuthGrant = {
      access_token: `sim-at-${serial}-${randomBytes(6).toString("hex")}`,
      refresh_token: `sim-rt-${serial}-${randomBytes(6).toString("hex")}`,
      expires_in: expiresInSeconds,
      token_type: "Bearer",
    };
    this.link(grant.access_token, account);
    this.link(grant.refresh_token, account);
    this.expiries.set(grant.access_token, nowMs + expiresInSeconds * 1000);
    return grant;
  }

  clear(): void {
    this.links.clear();
    this.expiries.clear();
    this.spentRefreshTokens.clear();
  }
}
