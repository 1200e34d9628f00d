import { decideIp, type IpRule, matchesAny, parseClientIp, parseIpRule } from "../../common/ip-rules.js";
import { ALLOWED, type PolicyDecision, refuse } from "./policy-decision.js";

// DESIGN §5.3: the client IP is the socket peer, unless that peer is one of our own reverse proxies
// (TOLLGATE_TRUSTED_PROXIES); only then are forwarded headers believed, and only as far as trusted
// hops vouch for them: X-Forwarded-For is walked from the right, skipping our proxies, and the first
// address they did not add themselves is the client (everything left of it is client-written).
//
// Header order: X-Forwarded-For (what nginx, HAProxy, cloud load balancers and CDNs append), then RFC
// 7239 Forwarded, then X-Real-IP (a single value some proxies set). A header the proxy in front
// neither sets nor strips passes through from the client, so it must append X-Forwarded-For or
// remove the others.

type Address = NonNullable<ReturnType<typeof parseClientIp>>;

export type TrustedProxiesParse = { ok: true; rules: IpRule[] } | { ok: false; error: string };

/** Parses TOLLGATE_TRUSTED_PROXIES: IPs and CIDRs separated by commas or whitespace; unset = none. */
export function parseTrustedProxies(text: string | undefined): TrustedProxiesParse {
  const rules: IpRule[] = [];
  for (const entry of (text ?? "").split(/[\s,]+/)) {
    if (entry === "") continue;
    const parsed = parseIpRule(entry);
    if (!parsed.ok) return { ok: false, error: `TOLLGATE_TRUSTED_PROXIES: ${parsed.error}` };
    rules.push(parsed.rule);
  }
  return { ok: true, rules };
}

/** One forwarded hop: "1.2.3.4", "1.2.3.4:5678", "[2001:db8::1]:443", "2001:db8::1", quoted or not. */
function parseHop(text: string): Address | undefined {
  let hop = text.trim();
  if (hop.length >= 2 && hop.startsWith('"') && hop.endsWith('"')) hop = hop.slice(1, -1);
  if (hop.startsWith("[")) {
    const end = hop.indexOf("]");
    return end === -1 ? undefined : parseClientIp(hop.slice(1, end));
  }
  const colon = hop.indexOf(":");
  if (colon !== -1 && colon === hop.lastIndexOf(":")) hop = hop.slice(0, colon);
  return parseClientIp(hop);
}

/** Right to left: the first hop that is not a trusted proxy; stops at anything unparseable. */
function walkHops(hops: readonly string[], trusted: readonly IpRule[]): Address | undefined {
  let nearest: Address | undefined;
  for (let i = hops.length - 1; i >= 0; i--) {
    const address = parseHop(hops[i] as string);
    if (!address) break;
    if (!matchesAny(address, trusted)) return address;
    nearest = address;
  }
  return nearest;
}

/** The `for=` node of each element of an RFC 7239 Forwarded header ("" when an element has none). */
function forwardedFor(header: string): string[] {
  return header.split(",").map((element) => {
    for (const pair of element.split(";")) {
      const eq = pair.indexOf("=");
      if (eq !== -1 && pair.slice(0, eq).trim().toLowerCase() === "for") return pair.slice(eq + 1);
    }
    return "";
  });
}

/** The address a request comes from, as a normalised string ("::ffff:1.2.3.4" becomes "1.2.3.4"). */
export function resolveClientIp(
  socketAddress: string,
  headers: Readonly<Record<string, string | undefined>>,
  trustedProxies: readonly IpRule[],
): string {
  // Without trusted proxies the socket peer is the answer; node already gives it in canonical form,
  // so only an IPv4-mapped address needs unwrapping (this runs on every request: no parsing).
  if (trustedProxies.length === 0) return unmapped(socketAddress);
  const peer = parseClientIp(socketAddress);
  if (!peer) return socketAddress;
  if (!matchesAny(peer, trustedProxies)) return peer.toString();
  const xff = headers["x-forwarded-for"];
  const fromXff = xff ? walkHops(xff.split(","), trustedProxies) : undefined;
  if (fromXff) return fromXff.toString();
  const forwarded = headers.forwarded;
  const fromForwarded = forwarded ? walkHops(forwardedFor(forwarded), trustedProxies) : undefined;
  if (fromForwarded) return fromForwarded.toString();
  const realIp = headers["x-real-ip"];
  const fromRealIp = realIp ? parseHop(realIp) : undefined;
  return (fromRealIp ?? peer).toString();
}

function unmapped(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

export interface KeyIpRules {
  readonly whitelist: readonly IpRule[];
  readonly blacklist: readonly IpRule[];
}

// The message is fixed by DESIGN §5.2 and deliberately says nothing about which list matched.
const ACCESS_DENIED = Object.freeze(refuse("ACCESS_DENIED", "Access denied"));

/** A key's IP allow/deny lists applied to the resolved client IP (403 ACCESS_DENIED when refused). */
export function ipDecision(clientIp: string, rules: KeyIpRules): PolicyDecision {
  return decideIp(clientIp, rules.whitelist, rules.blacklist) === "allowed" ? ALLOWED : ACCESS_DENIED;
}
