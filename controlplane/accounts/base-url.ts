import ipaddr from "ipaddr.js";
import { isLocalHostname, isPublicAddress } from "../../common/public-address.js";
import type { PlatformName } from "../stored-values.js";

// Upstream base URLs (DESIGN §7): https to a public host unless private upstreams are allowed. This is
// the check on save, on the literal host; the data plane checks the resolved address at connect time.

export const DEFAULT_BASE_URLS: Record<PlatformName, string> = {
  anthropic: "https://api.anthropic.com",
  openai: "https://api.openai.com",
  gemini: "https://generativelanguage.googleapis.com",
  antigravity: "https://cloudcode-pa.googleapis.com",
};

/** Why a base URL is refused, or undefined when it is acceptable. */
export function checkBaseUrl(text: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a URL`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an http(s) URL";
  if (url.username || url.password) return "must not contain credentials";
  if (url.search || url.hash) return "must not have a query or fragment";
  if (allowPrivate) return undefined;
  if (url.protocol !== "https:") return "must use https (set TOLLGATE_ALLOW_PRIVATE_UPSTREAMS=1 for local upstreams)";
  if (isPrivateHost(url.hostname)) {
    return `host ${url.hostname} is not public (set TOLLGATE_ALLOW_PRIVATE_UPSTREAMS=1 for local upstreams)`;
  }
  return undefined;
}

/** Loopback, private, link-local and other non-unicast addresses, and names that only resolve locally. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  if (ipaddr.isValid(host)) return isPrivateAddress(host);
  return isLocalHostname(host);
}

export function isPrivateAddress(address: string): boolean {
  return !isPublicAddress(address);
}

/**
 * Where requests go: the base URL or the platform default, without trailing slashes; Antigravity API-key
 * accounts are reached under `/antigravity` (DESIGN §5.8).
 */
export function effectiveBaseUrl(platform: PlatformName, type: "apikey" | "oauth", baseUrl: string): string {
  const base = (baseUrl || DEFAULT_BASE_URLS[platform]).replace(/\/+$/, "");
  if (platform === "antigravity" && type === "apikey" && !base.endsWith("/antigravity")) return `${base}/antigravity`;
  return base;
}
