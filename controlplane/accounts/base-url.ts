import ipaddr from "ipaddr.js";
import { effectiveBaseUrl } from "../../common/effective-base-url.js";
import { isLocalHostname, isPublicAddress } from "../../common/public-address.js";
import { AccountType } from "../../gen/tollgate/admin/v1/account_pb.js";
import { ACCOUNT_TYPE, platformEnum } from "../stored-values.js";

// Upstream base URLs (DESIGN §7): https to a public host unless private upstreams are allowed. This is
// the check on save, on the literal host; the data plane checks the resolved address at connect time.

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

/** The effective base URL of a stored account row (common/effective-base-url.ts has the rule). */
export function accountBaseUrl(row: { platform: string; type: string; baseUrl: string }): string {
  return effectiveBaseUrl(platformEnum(row.platform), ACCOUNT_TYPE[row.type] ?? AccountType.UNSPECIFIED, row.baseUrl);
}
